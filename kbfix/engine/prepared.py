"""What the engine derives from the corpus before any query, cached per corpus hash.

Parsing every case, tokenizing every document and reading every signature regex's parse tree
costs more than a whole diagnosis, so it is done once per corpus version and saved as
``<cache>/corpus-<key>.json`` (written atomically; an unreadable file is rebuilt).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbfix.corpus import Corpus
from kbfix.engine import lexical
from kbfix.engine.index import Doc
from kbfix.paths import cache_dir, checksum, load_json_cache, store_json_cache

PREP_VERSION = 2  # bump when corpus_docs or tokenize change


@dataclass(frozen=True)
class Prepared:
    docs: list[Doc]
    tokens: list[list[str]]
    literals: dict[str, tuple[str, ...]]  # "entry/signature" -> words a match needs


def prepare(corpus: Corpus) -> Prepared:
    from kbfix.engine.rank import corpus_docs

    docs = corpus_docs(corpus)
    literals = {f"{e.id}/{s.id}": lexical.signature_literals(s) for e in corpus.entries for s in e.signatures}
    return Prepared(docs, [lexical.tokenize(d.text) for d in docs], literals)


def load_or_prepare(corpus: Corpus, root: Path | None = None) -> Prepared:
    key = checksum(f"{PREP_VERSION}|{corpus.hash}|{','.join(corpus.ids())}".encode())
    path = (root or cache_dir()) / f"corpus-{key}.json"
    cached = load_json_cache(path, lambda data: Prepared(
        [Doc(**d) for d in data["docs"]], data["tokens"], {k: tuple(v) for k, v in data["literals"].items()}))
    if cached is not None:
        return cached
    prepared = prepare(corpus)
    store_json_cache(path, {"docs": [d.__dict__ for d in prepared.docs], "tokens": prepared.tokens,
                            "literals": prepared.literals})
    return prepared

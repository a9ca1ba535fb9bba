"""What the engine derives from the corpus before any query, cached per corpus hash.

Parsing every case, tokenizing every document and reading every signature regex's parse tree
costs more than a whole diagnosis, so it is done once per corpus version and saved as
``<cache>/corpus-<key>.json`` (written atomically; an unreadable file is rebuilt).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kbfix.corpus import Corpus
from kbfix.engine import lexical
from kbfix.engine.index import Doc, cache_dir

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
    key = hashlib.sha256(f"{PREP_VERSION}|{corpus.hash}|{','.join(corpus.ids())}".encode()).hexdigest()[:16]
    path = (root or cache_dir()) / f"corpus-{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Prepared([Doc(**d) for d in data["docs"]], data["tokens"],
                        {k: tuple(v) for k, v in data["literals"].items()})
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not cached yet, or unreadable: prepared again below
    prepared = prepare(corpus)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-corpus-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"docs": [d.__dict__ for d in prepared.docs], "tokens": prepared.tokens,
                       "literals": prepared.literals}, handle)
        os.replace(tmp, path)
    except OSError:
        return prepared  # an unwritable cache only costs this work again next time
    return prepared

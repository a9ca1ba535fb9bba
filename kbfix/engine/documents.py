"""Stage 1: the texts retrieval compares: corpus documents, and the query made from one error.

``corpus_docs`` turns every entry (title, signature literals, "What happened", in English and Chinese,
match cases) into documents; ``query`` turns one parsed error into the text compared with them. ``prepare`` derives
everything a diagnosis needs from the corpus before any query (documents, their tokens, each
signature's required words); ``load_or_prepare`` caches that per corpus version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kbfix import cache
from kbfix import traceback as tb
from kbfix.corpus import Corpus, read_titles
from kbfix.engine import lexical, signatures
from kbfix.engine.candidates import primary
from kbfix.model import CaseKind, Log, Trace

VERSION = 14  # bump when corpus_docs, query, tokenize or the cached form change
REGEX_ESCAPE_RE = re.compile(r"\\[a-zA-Z]|\(\?P<\w+>|\(\?[a-zA-Z:!=<]+")


@dataclass(frozen=True)
class Doc:
    entry_id: str
    source: str  # "title", "title:zh", "sig:<id>", "case:<entry>/<file>", "what", "what:zh", "report:<URL>"
    text: str


def describe(trace: Trace) -> str:
    """The text of one error that retrieval compares: types, messages and library frames."""
    parts = []
    for exc in trace.exceptions:
        parts.append(f"{exc.type}: {exc.message[:1500]}")
        for frame in exc.frames:
            if frame.library and frame.library != "python":
                base = re.split(r"[/\\]", frame.filename)[-1].rsplit(".", 1)[0]
                parts.append(f"{frame.library} {base} {frame.name}")
    return "\n".join(parts)


def log_tail(log: Log, lines: int = 40) -> str:
    kept = [line for line in log.lines if line.strip()]
    return "\n".join(kept[-lines:])


def query(log: Log, trace: Trace | None) -> str:
    """What retrieval compares for one candidate error (the log's tail when there is none)."""
    return describe(trace) if trace is not None else log_tail(log)


def signature_literal(pattern: str) -> str:
    """The words of a signature regex, for retrieval."""
    return " ".join(lexical.WORD_RE.findall(REGEX_ESCAPE_RE.sub(" ", pattern)))


def corpus_docs(corpus: Corpus) -> list[Doc]:
    docs: list[Doc] = []
    for entry in corpus.entries:
        docs.append(Doc(entry.id, "title", f"{entry.title.en}. {' '.join(entry.tags)}"))
        for sig in entry.signatures:
            text = " ".join(signature_literal(p) for p in (sig.exception, sig.message, sig.text) if p is not None)
            if text.strip():
                docs.append(Doc(entry.id, f"sig:{sig.id}", text))
        what = entry.section("What happened")
        if what:
            docs.append(Doc(entry.id, "what", what[:1500]))
        # Chinese reports and titles find the entry through its Chinese text
        if entry.title.zh:
            docs.append(Doc(entry.id, "title:zh", entry.title.zh))
        what_zh = entry.section("What happened", "zh")
        if what_zh:
            docs.append(Doc(entry.id, "what:zh", what_zh[:1500]))
        # how users named the failure in their threads' titles: what a short description is compared with
        docs.extend(Doc(entry.id, f"report:{url}", title) for url, title in read_titles(Path(entry.path)))
    for case in corpus.cases:
        if case.kind == CaseKind.MATCH:
            log = tb.parse(case.text)
            docs.append(Doc(case.entry_id, f"case:{case.entry_id}/{case.name}", query(log, primary(log))))
    return docs


@dataclass(frozen=True)
class Prepared:
    docs: list[Doc]
    terms: list[str]  # each document's tokens joined by spaces (tokens never hold whitespace): split on need
    lengths: list[int]  # each document's token count
    literals: dict[str, tuple[str, ...]]  # "entry/signature" -> words a match needs
    postings: dict[str, str]  # word -> "doc:count doc:count" (lexical.postings_text)

    def doc_terms(self, index: int) -> set[str]:
        return set(self.terms[index].split())


def prepare(corpus: Corpus) -> Prepared:
    docs = corpus_docs(corpus)
    literals = {f"{e.id}/{s.id}": signatures.signature_literals(s) for e in corpus.entries for s in e.signatures}
    # a thread's title is a few words, often only generic ones ("error when training"): matched word
    # for word it outweighs the long texts that explain a cause, so only the encoder compares it
    tokens = [[] if d.source.startswith("report:") else lexical.tokenize(d.text) for d in docs]
    return Prepared(docs, [" ".join(t) for t in tokens], [len(t) for t in tokens], literals,
                    lexical.postings_text(tokens))


def load_or_prepare(corpus: Corpus) -> Prepared:
    """The prepared corpus from the cache (keyed by the corpus hash), or prepared now and cached."""
    target = cache.path("corpus", VERSION, corpus.hash, ",".join(corpus.ids()))
    cached = cache.load_data(target, lambda data: Prepared(
        [Doc(*row) for row in data["docs"]], data["terms"], data["lengths"],
        {k: tuple(v) for k, v in data["literals"].items()}, data["postings"]))
    if cached is not None:
        return cached
    prepared = prepare(corpus)
    cache.store_data(target, {"docs": [(d.entry_id, d.source, d.text) for d in prepared.docs],
                              "terms": prepared.terms, "lengths": prepared.lengths, "literals": prepared.literals,
                              "postings": prepared.postings})
    return prepared

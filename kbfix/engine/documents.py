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
from typing import Callable

from kbfix import cache
from kbfix import traceback as tb
from kbfix.corpus import Corpus, read_titles
from kbfix.engine import lexical, signatures
from kbfix.engine.candidates import primary
from kbfix.model import CaseKind, Log, Trace

VERSION = 25  # bump when corpus_docs, query, tokenize, signature_literals or the cached form change
REGEX_ESCAPE_RE = re.compile(r"\\[a-zA-Z]|\(\?P<\w+>|\(\?[a-zA-Z:!=<]+")


@dataclass(frozen=True)
class Doc:
    """One text retrieval compares an error with, and the entry it stands for."""

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


class Prepared:
    """Everything a diagnosis needs from the corpus before any query.

    Scoring reads each document's entry, source, tokens and token count, the postings and the
    signatures' words; the documents' texts (the largest part) are read only to build the dense
    index, from ``texts`` (a callable), so a diagnosis does not pay for them.
    """

    def __init__(self, doc_entries: list[str], doc_sources: list[str], terms: list[str], lengths: list[int],
                 literals: dict[str, tuple[str, ...]], postings: lexical.Postings, texts: Callable[[], list[str]],
                 unquoted: dict[str, str | None] | None = None, fragment_starts: dict[str, str | None] | None = None):
        self.doc_entries = doc_entries  # each document's entry id
        self.doc_sources = doc_sources  # each document's source (:attr:`Doc.source`)
        self.terms = terms  # each document's tokens joined by spaces (tokens never hold whitespace): split on need
        self.lengths = lengths  # each document's token count
        self.literals = literals  # "entry/signature" -> words a match needs
        self.postings = postings  # word -> "doc:count doc:count" (lexical.postings_text)
        self._texts = texts
        self.unquoted = unquoted or {}  # message wording -> signatures.unquoted of it
        self.fragment_starts = fragment_starts or {}  # text wording -> signatures.fragment_start of it

    def __len__(self) -> int:
        return len(self.doc_entries)

    @property
    def docs(self) -> list[Doc]:
        """Every document with its text (reads the texts)."""
        if callable(self._texts):
            self._texts = self._texts()
        return [Doc(*row) for row in zip(self.doc_entries, self.doc_sources, self._texts)]

    def doc_terms(self, index: int) -> set[str]:
        return set(self.terms[index].split())


def prepare(corpus: Corpus) -> Prepared:
    docs = corpus_docs(corpus)
    literals = {f"{e.id}/{s.id}": signatures.signature_literals(s) for e in corpus.entries for s in e.signatures}
    unquoted = {s.message: signatures.unquoted(s.message) for e in corpus.entries for s in e.signatures if s.message}
    fragment_starts = {s.text: signatures.fragment_start(s.text) for e in corpus.entries for s in e.signatures
                       if s.text and s.message is None}
    # a thread's title is a few words, often only generic ones ("error when training"): matched word
    # for word it outweighs the long texts that explain a cause, so only the encoder compares it
    tokens = [[] if d.source.startswith("report:") else lexical.tokenize(d.text) for d in docs]
    return Prepared([d.entry_id for d in docs], [d.source for d in docs], [" ".join(t) for t in tokens],
                    [len(t) for t in tokens], literals, lexical.postings_text(tokens), [d.text for d in docs], unquoted,
                    fragment_starts)


def load_or_prepare(corpus: Corpus) -> Prepared:
    """The prepared corpus from the cache (keyed by the corpus hash), or prepared now and cached.

    Two files: what scoring reads (``corpus-``) and the documents' texts (``doctext-``, read when the
    dense index is built; a missing or rejected one is prepared again then)."""
    inputs = (VERSION, corpus.hash, ",".join(corpus.ids()))
    target, text_target = cache.path("corpus", *inputs), cache.path("doctext", *inputs)

    def texts() -> list[str]:
        found = cache.load_data(text_target, lambda data: data["texts"])
        if found is not None and len(found) == len(cached):
            return found
        found = [d.text for d in corpus_docs(corpus)]
        cache.store_data(text_target, {"texts": found})
        return found

    cached = cache.load_data(target, lambda data: Prepared(
        data["entries"], data["sources"], data["terms"], data["lengths"], data["literals"],
        lexical.Postings(*data["postings"]), texts,
        data["unquoted"], data["fragment_starts"]))
    if cached is not None:
        return cached
    prepared = prepare(corpus)
    cache.store_data(target, {"entries": prepared.doc_entries, "sources": prepared.doc_sources,
                              "terms": prepared.terms, "lengths": prepared.lengths, "literals": prepared.literals,
                              "postings": prepared.postings.plain(), "unquoted": prepared.unquoted,
                              "fragment_starts": prepared.fragment_starts})
    cache.store_data(text_target, {"texts": [d.text for d in prepared.docs]})
    return prepared

"""Signature rules and BM25 over the corpus documents. Pure Python, no heavy imports."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from kbfix.model import Entry, Exc, Log, Signature, Trace

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOPWORDS = frozenset(
    "the a an of to in is it and or for on be by with as at this that from are was were not no but if "
    "you your can will has have had do does did its into than then there their which when while self "
    "py line file most recent call last traceback".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase words, plus the parts of snake_case and CamelCase identifiers."""
    out: list[str] = []
    for word in WORD_RE.findall(text):
        lower = word.lower()
        if lower not in STOPWORDS:
            out.append(lower)
        parts = [p for chunk in word.split("_") for p in CAMEL_RE.findall(chunk)] if ("_" in word or not word.islower()) else []
        if len(parts) > 1:
            out.extend(p.lower() for p in parts if len(p) > 1 and p.lower() not in STOPWORDS and not p.isdigit())
    return out


# --- signatures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignatureHit:
    entry_id: str
    signature: Signature
    captures: dict[str, str]
    lines: tuple[int, ...]
    matched: str
    exc: Exc | None = None


def frame_strings(exc: Exc) -> list[str]:
    return [f"{f.filename.replace(chr(92), '/')}:{f.name}" for f in exc.frames]


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos)


def _blocked(sig: Signature, *texts: str) -> bool:
    return any(p.search(t) for p in sig.unless for t in texts if t)


def _text_match(sig: Signature, log_text: str) -> re.Match[str] | None:
    return sig.text.search(log_text) if sig.text is not None else None


def match_trace(entries: tuple[Entry, ...], trace: Trace | None, log: Log, log_text: str | None = None) -> list[SignatureHit]:
    """Signature hits for one trace (exception signatures) and the whole log (text-only signatures)."""
    log_text = log.text if log_text is None else log_text
    hits: list[SignatureHit] = []
    for entry in entries:
        for sig in entry.signatures:
            exception_bound = sig.message is not None or sig.exception is not None or bool(sig.frames)
            if not exception_bound:
                m = _text_match(sig, log_text)
                if m and not _blocked(sig, log_text):
                    caps = {k: v for k, v in m.groupdict().items() if v is not None}
                    hits.append(SignatureHit(entry.id, sig, caps, (_line_of(log_text, m.start()),), m.group(0)))
                continue
            if trace is None:
                continue
            hit = _match_exception(entry.id, sig, trace, log_text)
            if hit:
                hits.append(hit)
    return hits


def _match_exception(entry_id: str, sig: Signature, trace: Trace, log_text: str) -> SignatureHit | None:
    text_m = None
    if sig.text is not None:
        text_m = _text_match(sig, log_text)
        if text_m is None:
            return None
    for exc in reversed(trace.exceptions):
        if sig.exception is not None and not (sig.exception.fullmatch(exc.type) or sig.exception.fullmatch(exc.short_type)):
            continue
        msg_m = None
        if sig.message is not None:
            msg_m = sig.message.search(exc.message)
            if msg_m is None:
                continue
        if sig.frames:
            frames = frame_strings(exc)
            if not all(any(p.search(f) for f in frames) for p in sig.frames):
                continue
        if _blocked(sig, exc.message) or (sig.text is not None and _blocked(sig, log_text)):
            continue
        caps: dict[str, str] = {}
        lines = [exc.line]
        for m in (text_m, msg_m):
            if m is not None:
                caps.update({k: v for k, v in m.groupdict().items() if v is not None})
        if text_m is not None:
            lines.append(_line_of(log_text, text_m.start()))
        matched = msg_m.group(0) if msg_m else (text_m.group(0) if text_m else exc.type)
        return SignatureHit(entry_id, sig, caps, tuple(sorted(set(lines))), matched, exc)
    return None


# --- BM25 -------------------------------------------------------------------------------------

@dataclass
class BM25:
    """Okapi BM25 over short documents; ``scores`` returns one score per document."""

    docs: list[list[str]]
    k1: float = 1.2
    b: float = 0.75
    idf: dict[str, float] = field(init=False)
    tfs: list[Counter] = field(init=False)
    lengths: list[int] = field(init=False)
    avg: float = field(init=False)

    def __post_init__(self) -> None:
        self.tfs = [Counter(d) for d in self.docs]
        self.lengths = [len(d) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.docs else 1.0
        df: Counter = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self.tfs):
            for t in tf:
                self.postings.setdefault(t, []).append(i)

    def scores(self, query: list[str]) -> list[float]:
        out = [0.0] * len(self.docs)
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                tf = self.tfs[i][term]
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                out[i] += idf * tf * (self.k1 + 1) / norm
        return out

    def max_score(self, query: list[str]) -> float:
        """An upper bound for one document's score: every distinct query term at idf * (k1 + 1).

        A term no document holds counts at the idf of the rarest possible term: a query made mostly
        of words the corpus never uses is mostly unexplained, so its normalized score stays low.
        """
        n = len(self.docs)
        unseen = math.log(1 + (n + 0.5) / 0.5)
        return sum(self.idf.get(t, unseen) for t in set(query)) * (self.k1 + 1) or 1.0

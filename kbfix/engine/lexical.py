"""Stage 3b: words. ``tokenize`` a text, and score documents with ``BM25``. Pure Python."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # Chinese has no spaces: bigrams
CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOPWORDS = frozenset(
    "the a an of to in is it and or for on be by with as at this that from are was were not no but if "
    "you your can will has have had do does did its into than then there their which when while self "
    "py line file most recent call last traceback".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase words, plus the parts of snake_case and CamelCase identifiers, plus overlapping pairs
    of Chinese characters (the usual unit for Chinese retrieval without a word segmenter)."""
    out: list[str] = []
    for run in CJK_RUN_RE.findall(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    for word in WORD_RE.findall(text):
        word = word.strip("_")
        if len(word) < 2:
            continue
        lower = word.lower()
        if lower not in STOPWORDS:
            out.append(lower)
        parts = [p for chunk in word.split("_") for p in CAMEL_RE.findall(chunk)] if ("_" in word or not word.islower()) else []
        if len(parts) > 1:
            out.extend(p.lower() for p in parts if len(p) > 1 and p.lower() not in STOPWORDS and not p.isdigit())
    return out


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
        self.postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self.tfs):
            for t in tf:
                found = self.postings.get(t)
                if found is None:
                    self.postings[t] = [i]
                else:
                    found.append(i)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5)) for t, ids in self.postings.items()}
        self._term_weights: dict[str, list[tuple[int, float]]] = {}

    def scores(self, query: list[str]) -> list[float]:
        out = [0.0] * len(self.docs)
        for i, score in self.sparse_scores(query).items():
            out[i] = score
        return out

    def sparse_scores(self, query: list[str]) -> dict[int, float]:
        """The score of every document that shares a word with the query, by document index."""
        out: dict[int, float] = {}
        for term in set(query):
            for i, weight in self._weighted(term):
                out[i] = out.get(i, 0.0) + weight
        return out

    def _weighted(self, term: str) -> list[tuple[int, float]]:
        """Each document's whole BM25 contribution for ``term``, computed on first use and kept (at
        most one list per corpus word)."""
        found = self._term_weights.get(term)
        if found is None:
            idf = self.idf.get(term)
            if idf is None:
                return []  # not kept: a long-lived server sees unbounded new words
            found = [
                (i, idf * self.tfs[i][term] * (self.k1 + 1)
                 / (self.tfs[i][term] + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)))
                for i in self.postings[term]]
            self._term_weights[term] = found
        return found

    def max_score(self, query: list[str]) -> float:
        """An upper bound for one document's score: every distinct query term at idf * (k1 + 1).

        A term no document holds counts at the idf of the rarest possible term: a query made mostly
        of words the corpus never uses is mostly unexplained, so its normalized score stays low.
        """
        n = len(self.docs)
        unseen = math.log(1 + (n + 0.5) / 0.5)
        return sum(self.idf.get(t, unseen) for t in set(query)) * (self.k1 + 1) or 1.0

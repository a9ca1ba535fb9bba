"""Stage 3b: words. ``tokenize`` a text, and score documents with ``BM25``. Pure Python."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # Chinese has no spaces: bigrams
CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOPWORDS = frozenset(
    "the a an of to in is it and or for on be by with as at this that from are was were not no but if "
    "you your can will has have had do does did its into than then there their which when while self "
    "py line file most recent call last traceback".split()
)

# Chinese character pairs that only carry the prose around an error (a question, a greeting, "when I
# ran ... there was a problem"): on a short description they would outweigh the one technical word
CJK_STOP_PAIRS = frozenset(
    "请问 请教 指教 谢谢 感谢 麻烦 帮忙 大佬 求助 什么 是什 么原 原因 为什 么会 怎么 么解 么办 解决 如何 "
    "问题 的问 个问 了问 出现 时出 现了 一下 这个 那个 一个 如下 以下 下错 时候 候出 我的 我在 在使 使用 "
    "用的 的时 的是 是不 不是 遇到 到了 这样 还是 但是 可以 已经 之后 然后 应该 看看 是否".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase words, plus the parts of snake_case and CamelCase identifiers, plus overlapping pairs
    of Chinese characters (the usual unit for Chinese retrieval without a word segmenter), less the
    pairs of question-and-greeting prose."""
    out: list[str] = []
    for run in CJK_RUN_RE.findall(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(pair for i in range(len(run) - 1) if (pair := run[i:i + 2]) not in CJK_STOP_PAIRS)
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


class BM25:
    """Okapi BM25 over short documents; ``scores`` returns one score per document.

    The inverted index is kept as one compact string per word (``postings_text``: "doc:count doc:count"),
    read only for the words a query holds: a cached corpus then loads in a few milliseconds instead of
    being re-counted on every start.
    """

    def __init__(self, lengths: list[int], postings: "Postings", k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.lengths = lengths
        self.count = len(lengths)
        self.avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._postings = postings
        self._term_weights: dict[str, list[tuple[int, float]]] = {}
        self._idf: dict[str, float] = {}

    @classmethod
    def from_docs(cls, docs: list[list[str]], **params: float) -> "BM25":
        """The index of tokenized documents (the cached corpus keeps only lengths and postings)."""
        return cls([len(d) for d in docs], postings_text(docs), **params)

    def idf(self, term: str, default: float = 0.0) -> float:
        found = self._idf.get(term)
        if found is None:
            raw = self._postings.get(term)
            if raw is None:
                return default  # not kept: a long-lived server sees unbounded new words
            df = raw.count(" ") + 1
            found = self._idf[term] = math.log(1 + (self.count - df + 0.5) / (df + 0.5))
        return found

    def scores(self, query: list[str]) -> list[float]:
        out = [0.0] * self.count
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
            raw = self._postings.get(term)
            if raw is None:
                return []  # not kept: a long-lived server sees unbounded new words
            idf, k1, b = self.idf(term), self.k1, self.b
            found = []
            for item in raw.split(" "):
                i, _, count = item.partition(":")
                i, tf = int(i), int(count)
                found.append((i, idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * self.lengths[i] / self.avg))))
            self._term_weights[term] = found
        return found

    def max_score(self, query: list[str]) -> float:
        """An upper bound for one document's score: every distinct query term at idf * (k1 + 1).

        A term no document holds counts at the idf of the rarest possible term: a query made mostly
        of words the corpus never uses is mostly unexplained, so its normalized score stays low.
        """
        unseen = math.log(1 + (self.count + 0.5) / 0.5)
        return sum(self.idf(t, unseen) for t in set(query)) * (self.k1 + 1) or 1.0


class Postings:
    """Each word's postings ("doc:count doc:count") kept as three plain values: the words in sorted order,
    their postings joined into one string, and where each word's part ends. A cached corpus unmarshals these
    in a third of the time a dict of 15,000 strings takes, and a query looks up only its own words."""

    def __init__(self, words: list[str], text: str, ends: list[int]):
        self.words, self.text, self.ends = words, text, ends

    @classmethod
    def of(cls, postings: dict[str, str]) -> "Postings":
        words = sorted(postings)
        ends, end = [], 0
        for word in words:
            end += len(postings[word])
            ends.append(end)
        return cls(words, "".join(postings[w] for w in words), ends)

    def plain(self) -> tuple[list[str], str, list[int]]:
        return self.words, self.text, self.ends

    def get(self, term: str, default: str | None = None) -> str | None:
        i = bisect_left(self.words, term)
        if i == len(self.words) or self.words[i] != term:
            return default
        return self.text[self.ends[i - 1] if i else 0:self.ends[i]]

    def __len__(self) -> int:
        return len(self.words)


def postings_text(docs: list[list[str]]) -> Postings:
    """Each word's documents with its count in each, as "doc:count doc:count" (ascending documents)."""
    lists: dict[str, list[str]] = {}
    for i, doc in enumerate(docs):
        for term, count in Counter(doc).items():
            lists.setdefault(term, []).append(f"{i}:{count}")
    return Postings.of({term: " ".join(items) for term, items in lists.items()})

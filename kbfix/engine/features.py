"""Stage 3: one feature vector per entry for one candidate error, and its calibrated confidence.

- ``sig`` / ``sig_loose`` / ``sig_frag``: the weight of the strongest signature of the entry that
  fired fully / loosely (another or no exception type) / on a cut-off message (0 when none);
- ``lex``: BM25 of the entry's best document as a fraction of the query's attainable maximum;
- ``lex_top``: the same score relative to the best-scoring entry (1.0 for the lexical winner);
- ``dense``: cosine similarity of the entry's nearest document;
- ``dense_gap``: ``dense`` minus the best other entry's, so a clear dense winner stands out;
- ``near_miss``: 1 when a signature of the entry matched the exception and message but a condition
  its author wrote to exclude look-alikes (frames, text, unless) failed: evidence against it.

:class:`Scorer` computes them (``score``) and fuses them through the calibration into one
confidence per entry. Evaluation and calibration use :class:`kbfix.engine.tuning.TuningScorer`,
which can leave documents out and blind features; the production path has no such knobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

from kbfix.engine import documents, lexical, signatures
from kbfix.engine.calibration import Calibration, sigmoid
from kbfix.engine.documents import Prepared
from kbfix.model import Entry, Log, Trace

CASCADE_RETRIEVAL_LOGIT = -2.0  # the most retrieval alone gives a cascade entry: ~0.12, never confident
# With no error in the log (no exception, no message body) retrieval compares the log's tail: it may
# rank candidates, but only a signature (a warning, a log line) may name a cause confidently.
NO_ERROR_RETRIEVAL_LOGIT = -2.0
NEAR_MISS_LOGIT = -2.0
# why an entry whose own signature matched does not count (Scored.ruled_out; the report's ``ruled_out``)
RULED_OUT_CONDITION = "condition"  # a condition its author wrote for look-alikes held (an `unless`, a frame ...)
RULED_OUT_CUT_SHORT = "cut_short"  # the message was cut before its wording parted from another entry's
RULED_OUT_REFINED = "refined"  # a more specific entry that refines it explains the error


def _no_terms() -> tuple[str, ...]:
    return ()


LEVEL_FEATURE = {signatures.FULL: "sig", signatures.LOOSE: "sig_loose", signatures.FRAGMENT: "sig_frag"}


@dataclass(frozen=True)
class Scored:
    """One entry scored for one error: the features, the signature hits and the calibrated logit."""

    entry: Entry
    features: dict[str, float]
    hits: tuple[signatures.SignatureHit, ...]
    # the query's words in the entry's best lexical document, found when evidence is shown (most
    # entries are never shown)
    shared_terms: Callable[[], tuple[str, ...]] = field(compare=False, repr=False)
    dense_source: str | None  # the source (:attr:`Doc.source`) of the entry's nearest document
    logit: float
    # the calibrated logit before the caps below: it orders entries the caps leave level (a short
    # description scores several entries above the no-error cap; the best of them stays first)
    raw: float = 0.0
    # why the entry's own signature matched and still does not count (a near miss), else None: RULED_OUT_CONDITION,
    # RULED_OUT_CUT_SHORT (the message was cut before the entry's wording parted from another's,
    # signatures._ambiguous_fragments: the advice asks for the whole message) or RULED_OUT_REFINED
    ruled_out: str | None = None

    @property
    def cut_short(self) -> bool:
        return self.ruled_out == RULED_OUT_CUT_SHORT

    @property
    def confidence(self) -> float:
        return sigmoid(self.logit)

    @cached_property
    def lex_tokens(self) -> tuple[str, ...]:
        return self.shared_terms()

    @classmethod
    def of(cls, entry: Entry, features: dict[str, float], hits: tuple[signatures.SignatureHit, ...],
           shared_terms: Callable[[], tuple[str, ...]], dense_source: str | None, logit: float, raw: float,
           ruled_out: str | None = None) -> Scored:
        """The same instance as the constructor gives, with the fields set at once: the scorer makes one per entry
        and candidate error, where the frozen constructor's one ``object.__setattr__`` per field shows."""
        obj = object.__new__(cls)
        obj.__dict__.update(entry=entry, features=features, hits=hits, shared_terms=shared_terms,
                            dense_source=dense_source, logit=logit, raw=raw, ruled_out=ruled_out)
        return obj

    def shifted(self, delta: float) -> Scored:
        return replace(self, logit=self.logit + delta, raw=self.raw + delta)

    @property
    def order(self) -> tuple[float, float]:
        """The sort key, best first."""
        return (-self.logit, -self.raw)


class Scorer:
    """Scores every entry for one error. ``dense`` is ``(index, encoder)`` or None (lexical only)."""

    def __init__(self, entries: tuple[Entry, ...], prepared: Prepared, calibration: Calibration, dense=None):
        self.entries = entries
        self.by_id = {e.id: e for e in entries}
        self.prepared = prepared
        self.plan = signatures.literal_plan(entries, prepared.literals)  # the literal prefilter, grouped once
        signatures.remember_unquoted(prepared.unquoted)
        signatures.remember_fragment_starts(prepared.fragment_starts)
        self.bm25 = lexical.BM25(prepared.lengths, prepared.postings)
        self.calibration = calibration
        self.dense = dense

    # hooks for tuning (kbfix.engine.tuning): which documents count, which features are seen
    def usable(self, source: str) -> bool:
        """Whether the document of this source (:attr:`Doc.source`) counts."""
        return True

    def seen(self, features: dict[str, float]) -> dict[str, float]:
        return features

    def score(self, log: Log, trace: Trace | None, text: signatures.LogText | None = None, *,
              dense: bool = True) -> list[Scored]:
        """Every entry scored for ``trace`` (None: the log as a whole), best first; ``dense=False``:
        without dense retrieval even when it is loaded."""
        text = text or signatures.LogText.of(log)
        key = (id(self), id(trace))
        if key not in text.scored:  # a second pass over the same log (now with dense) reuses the first's work
            hits, near_misses = self._signature_hits(log, trace, text)
            query = documents.query(log, trace)
            q_tokens = lexical.tokenize(query)
            text.scored[key] = (trace, hits, near_misses, query, q_tokens, *self._lexical(q_tokens))
        _, hits, near_misses, query, q_tokens, lex_best, max_possible = text.scored[key]
        top_lex = max((s for s, _ in lex_best.values()), default=0.0) or 1.0
        dense_best = self._dense(query) if dense else {}
        # the best dense score of any other entry: the runner-up for the winner, the winner for the rest
        ranked_dense = sorted(((s, eid) for eid, (s, _) in dense_best.items()), reverse=True)[:2]
        first_dense, first_id = ranked_dense[0] if ranked_dense else (0.0, None)
        second_dense = ranked_dense[1][0] if len(ranked_dense) > 1 else 0.0
        no_error = trace is None or not trace.final.type or trace.final.type.endswith("Warning")
        seen, logit_of, factor = self.seen, self.calibration.logit, self.calibration.factor
        results = []
        for entry in self.entries:
            entry_id = entry.id
            lex_score, lex_doc = lex_best.get(entry_id, (0.0, -1))
            d_score, d_source = dense_best.get(entry_id, (0.0, None))
            entry_hits = hits.get(entry_id, ())
            weight = {"sig": 0.0, "sig_loose": 0.0, "sig_frag": 0.0}
            for hit in entry_hits:
                name = LEVEL_FEATURE[hit.level]
                weight[name] = max(weight[name], hit.weight * factor(entry_id, hit.signature.id,
                                                                     fragment=name == "sig_frag"))
            weight["lex"] = lex_score / max_possible
            weight["lex_top"] = lex_score / top_lex
            weight["dense"] = d_score
            weight["dense_gap"] = d_score - (second_dense if entry_id == first_id else first_dense)
            weight["near_miss"] = 1.0 if not entry_hits and entry_id in near_misses else 0.0
            features = seen(weight)
            shared = partial(self._shared_terms, q_tokens, lex_doc) if lex_doc >= 0 and lex_score > 0 else _no_terms
            logit = raw = logit_of(features)
            if not entry_hits:
                if entry.cascade:
                    # a consequence (an NCCL watchdog timeout) looks like any launcher noise to retrieval:
                    # only its own signature may name it confidently
                    logit = min(logit, CASCADE_RETRIEVAL_LOGIT)
                if no_error:
                    # no error, only a message body without its exception line, or only a warning: too
                    # little for retrieval alone to name a cause; a signature may
                    logit = min(logit, NO_ERROR_RETRIEVAL_LOGIT)
                if features["near_miss"]:
                    # the entry's own signature matched the wording and a condition its author wrote for
                    # look-alikes ruled this error out: retrieval alone must not bring the entry back
                    logit = min(logit, NEAR_MISS_LOGIT)
            results.append(Scored.of(entry, features, tuple(entry_hits), shared, d_source, logit, raw,
                                     ruled_out=near_misses[entry_id] if features["near_miss"] else None))
        results.sort(key=lambda s: s.order)
        return results

    def _signature_hits(self, log: Log, trace: Trace | None, text: signatures.LogText | None):
        hits = signatures.match(self.entries, trace, log, text, plan=self.plan)
        # an error explained by a signature: on its exception, or a failure's own wording in the log (an entry that is
        # no consequence or notice): a consequence or a harmless notice seen in the log does not explain it
        explained = any(not h.partial and (h.exc is not None or not self.by_id[h.entry_id].cascade) for h in hits)
        by_entry: dict[str, list[signatures.SignatureHit]] = {}
        near_misses: dict[str, str] = {}  # entry -> why its wording's match does not count (RULED_OUT_*)
        for hit in hits:
            if hit.partial:
                # cut short only while every partial hit of the entry is a fragment of a cut message
                cut = near_misses.get(hit.entry_id, RULED_OUT_CUT_SHORT) == RULED_OUT_CUT_SHORT \
                    and hit.level == signatures.FRAGMENT
                near_misses[hit.entry_id] = RULED_OUT_CUT_SHORT if cut else RULED_OUT_CONDITION
                continue
            if explained and hit.exc is None and self.by_id[hit.entry_id].cascade:
                continue  # a consequence seen elsewhere in the log does not explain this error
            by_entry.setdefault(hit.entry_id, []).append(hit)
        for entry_id in list(by_entry):
            for general in self.by_id[entry_id].refines:
                if by_entry.pop(general, None) is not None:
                    near_misses[general] = RULED_OUT_REFINED  # the more specific entry explains this symptom
        return by_entry, near_misses

    def _lexical(self, q_tokens: list[str]) -> tuple[dict[str, tuple[float, int]], float]:
        best: dict[str, tuple[float, int]] = {}
        entries, sources, usable = self.prepared.doc_entries, self.prepared.doc_sources, self.usable
        for i, score in self.bm25.sparse_scores(q_tokens).items():
            entry_id = entries[i]
            held, at = best.get(entry_id, (0.0, -1))
            # the entry's best document; of equal scores the first (by index), in whatever order they come
            if (score > held or score == held and 0 <= i < at) and usable(sources[i]):
                best[entry_id] = (score, i)
        return best, self.bm25.max_score(q_tokens)

    def _shared_terms(self, q_tokens: list[str], doc_index: int) -> tuple[str, ...]:
        """The query's words found in the entry's best document, rarest first (ties by the word)."""
        doc_terms = self.prepared.doc_terms(doc_index)
        ranked = sorted({t for t in q_tokens if t in doc_terms}, key=lambda t: (-self.bm25.idf(t), t))
        return tuple(ranked[:8])

    def _dense(self, query: str) -> dict[str, tuple[float, str]]:
        """Each entry's nearest document: (cosine, its source). Row i of the index is document i of
        the prepared corpus (the engine builds it from ``prepared.docs``)."""
        if self.dense is None:
            return {}
        index, encoder = self.dense
        if not index.count:
            return {}
        entries, sources = self.prepared.doc_entries, self.prepared.doc_sources
        sims, ids = index.search(encoder.encode([query]))
        if type(self).usable is Scorer.usable:  # every document counts: each entry's first row, found at once
            return self._nearest_per_entry(sims[0], ids[0])
        best: dict[str, tuple[float, str]] = {}
        for sim, idx in zip(sims[0].tolist(), ids[0].tolist()):
            if idx < 0:
                continue
            entry_id, source = entries[idx], sources[idx]
            if entry_id in best or entry_id not in self.by_id or not self.usable(source):
                continue
            best[entry_id] = (sim, source)
            if len(best) == len(self.by_id):
                break  # every entry has its nearest document
        return best

    def _nearest_per_entry(self, sims, ids) -> dict[str, tuple[float, str]]:
        """What :meth:`_dense`'s loop finds when every document counts: for each entry, the first of its
        documents in ``ids`` (best first) and that document's similarity; numpy over the whole ranking
        instead of a Python step per document."""
        import numpy as np

        owners = self._doc_owners
        ranked = ids[ids >= 0]
        owner = owners[ranked]
        kept = owner >= 0
        _, first = np.unique(owner[kept], return_index=True)
        doc_ids = ranked[kept][first].tolist()
        values = sims[ids >= 0][kept][first].tolist()
        entries, sources = self.prepared.doc_entries, self.prepared.doc_sources
        return {entries[idx]: (sim, sources[idx]) for idx, sim in zip(doc_ids, values)}

    @cached_property
    def _doc_owners(self):
        """Per document, the position of its entry among this scorer's entries (-1: not one of them)."""
        import numpy as np

        order = {e.id: i for i, e in enumerate(self.entries)}
        return np.array([order.get(entry_id, -1) for entry_id in self.prepared.doc_entries], dtype=np.int64)


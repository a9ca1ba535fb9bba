"""Fuse signatures, BM25 and dense retrieval into one calibrated ranking, or abstain.

For each error found in the log (a trace), every entry gets a feature vector:

- ``sig``: the weight of the strongest signature of the entry that fired (0 when none);
- ``lex``: BM25 of the entry's best document as a fraction of the query's attainable maximum;
- ``lex_top``: the same score relative to the best-scoring entry (1.0 for the lexical winner);
- ``dense``: cosine similarity of the entry's nearest document;
- ``dense_gap``: ``dense`` minus the best other entry's, so a clear dense winner stands out;
- ``near_miss``: 1 when a signature of the entry matched the exception and message but a condition
  its author wrote to exclude look-alikes (frames, text, unless) failed: evidence against it.

:class:`Calibration`, fitted by ``scripts/calibrate.py`` on the corpus cases out of fold (a case is
never scored by an encoder or index that has seen it), maps the vector to P(entry is the root
cause): a signature's out-of-fold precision, combined with a logistic model of the lexical and
dense evidence, which must carry the decision alone when no signature knows the wording. The
verdict is "match" when the best probability reaches :data:`THRESHOLD`, else "no_match" with the
nearest candidates.
Among several errors in one log the earliest confident one that is not a known consequence of
another failure (NCCL watchdog timeouts, launcher ``ChildFailedError`` ...) is the root cause.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kbfix import traceback as tb
from kbfix.corpus import Corpus
from kbfix.engine import lexical
from kbfix.engine.index import DenseIndex, Doc
from kbfix.engine.prepared import Prepared
from kbfix.model import Entry, Evidence, Finding, Log, Match, Report, Trace

THRESHOLD = 0.5
CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
FEATURES = ("sig", "lex", "lex_top", "dense", "dense_gap", "near_miss")
VARIANTS = {
    "hybrid": FEATURES,
    "signatures": ("sig",),
    "lexical": ("lex", "lex_top"),
    "dense": ("dense", "dense_gap"),
}
# Used until scripts/calibrate.py has written calibration.json (and by its first iteration).
DEFAULT_CALIBRATION = {
    "hybrid": {"bias": -7.0, "weights": {"lex_top": 3.0, "dense": 3.0, "dense_gap": 4.0, "near_miss": -2.0},
               "signature_precision": 0.99},
    "signatures": {"bias": -30.0, "weights": {}, "signature_precision": 0.99},
    "lexical": {"bias": -5.0, "weights": {"lex": 4.0, "lex_top": 3.0}},
    "dense": {"bias": -6.0, "weights": {"dense": 5.0, "dense_gap": 6.0}},
}
FINDING_SUPPORT_LOGIT = 2.5
FINDING_REFUTE_LOGIT = -12.0  # artifacts that contradict an entry rule it out
CASCADE_RE = re.compile(
    r"ChildFailedError|CalledProcessError|KeyboardInterrupt|SystemExit|ProcessRaisedException|"
    r"ProcessExitedException|DistBackendError|NCCL communicator was aborted|Connection reset by peer|"
    r"Broken pipe|received signal SIG|exit(?:ed)? with (?:return )?code|returned non-zero exit status"
)
REGEX_ESCAPE_RE = re.compile(r"\\[a-zA-Z]|\(\?P<\w+>|\(\?[a-zA-Z:!=<]+")
MAX_CANDIDATES = 12
CASCADE_RETRIEVAL_LOGIT = -2.0  # the most retrieval alone gives a cascade entry: ~0.12, never confident


@dataclass(frozen=True)
class Calibration:
    """P(entry is the root cause | features).

    ``bias`` + ``weights``: a logistic model of the lexical and dense evidence (fitted on rows where
    no signature of the entry fired). ``signature_precision``: how often a fully matching signature
    named the right entry, out of fold, by the rule of succession. When a signature of weight w
    fired, the two are combined as a noisy-OR: 1 - (1 - w * precision) * (1 - p_logistic), so
    retrieval can corroborate a weak signature and a strong one stays just below certainty.
    """

    bias: float
    weights: dict[str, float]
    signature_precision: float | None = None

    def probability(self, features: dict[str, float]) -> float:
        p = sigmoid(self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items()))
        if self.signature_precision is not None and features.get("sig"):
            p = 1.0 - (1.0 - features["sig"] * self.signature_precision) * (1.0 - p)
        return p

    def logit(self, features: dict[str, float]) -> float:
        p = min(max(self.probability(features), 1e-12), 1 - 1e-12)
        return math.log(p / (1 - p))

    @classmethod
    def from_json(cls, raw: dict) -> Calibration:
        precision = raw.get("signature_precision")
        return cls(float(raw["bias"]), {k: float(v) for k, v in raw["weights"].items()},
                   float(precision) if precision is not None else None)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def load_calibration(variant: str = "hybrid", path: Path = CALIBRATION_PATH) -> Calibration:
    data = DEFAULT_CALIBRATION
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8")).get("variants", DEFAULT_CALIBRATION)
    return Calibration.from_json(data.get(variant) or DEFAULT_CALIBRATION[variant])


# --- documents --------------------------------------------------------------------------------

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


def query_text(log: Log, trace: Trace | None) -> str:
    return describe(trace) if trace is not None else log_tail(log)


def signature_literal(pattern: str) -> str:
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
    for case in corpus.cases:
        if case.kind == "match":
            log = tb.parse(case.text)
            trace = primary_guess(log)
            docs.append(Doc(case.entry_id, f"case:{case.entry_id}/{case.name}", query_text(log, trace)))
    return docs


# --- candidates -------------------------------------------------------------------------------

def is_generic_cascade(trace: Trace) -> bool:
    final = trace.final
    return bool(CASCADE_RE.search(final.type) or CASCADE_RE.search(final.message[:300]))


def is_warning(trace: Trace) -> bool:
    return trace.final.type.endswith("Warning")


def candidate_traces(log: Log) -> list[Trace]:
    """Distinct errors in the log, first and last ones kept when there are many."""
    seen: set[tuple[str, str]] = set()
    unique: list[Trace] = []
    for trace in log.traces:
        key = (trace.final.type, trace.final.message[:200])
        if key not in seen and (trace.final.type or trace.final.message):
            seen.add(key)
            unique.append(trace)
    if len(unique) > MAX_CANDIDATES:
        half = MAX_CANDIDATES // 2
        unique = unique[:half] + unique[-half:]
    return unique


def primary_guess(log: Log) -> Trace | None:
    """Without ranking: the last real exception that is not a launcher's echo of another."""
    traces = candidate_traces(log)
    for pool in (
        [t for t in traces if not is_warning(t) and not is_generic_cascade(t)],
        [t for t in traces if not is_warning(t)],
        traces,
    ):
        if pool:
            return pool[-1]
    return None


# --- the engine -------------------------------------------------------------------------------

@dataclass
class Scored:
    entry: Entry
    features: dict[str, float]
    hits: list[lexical.SignatureHit]
    lex_tokens: tuple[str, ...]
    dense_doc: Doc | None
    logit: float
    confidence: float


class Engine:
    """Everything ``diagnose`` needs, loaded once per process."""

    def __init__(self, corpus: Corpus, prepared: Prepared, dense: DenseIndex | None, encoder,
                 calibration: Calibration, notes: list[str] | tuple[str, ...] = (),
                 dense_loader: Callable[[], tuple[DenseIndex, object]] | None = None):
        self.corpus = corpus
        self.docs = prepared.docs
        self.literals = prepared.literals
        self.dense = dense
        self.encoder = encoder
        self._dense_loader = dense_loader  # loads encoder + index on first need (see diagnose_log)
        self.calibration = calibration
        self.notes = list(notes)  # a note met later (an unwritable index cache) is appended
        self.entries = corpus.entries
        self.by_id = {e.id: e for e in corpus.entries}
        self.doc_tokens = prepared.tokens
        self.bm25 = lexical.BM25(self.doc_tokens)

    @property
    def dense_docs(self) -> list[Doc]:
        return self.dense.docs if self.dense is not None else []

    def load_dense(self) -> None:
        if self._dense_loader is not None:
            self.dense, self.encoder = self._dense_loader()
            self._dense_loader = None

    # features ---------------------------------------------------------------------------------
    def score(self, log: Log, trace: Trace | None, *, exclude: frozenset[str] = frozenset(),
              calibration: Calibration | None = None, text: lexical.LogText | None = None,
              blind: frozenset[str] = frozenset()) -> list[Scored]:
        """Score every entry for one error. ``blind`` names features to zero (evaluation only)."""
        calibration = calibration or self.calibration
        hits = lexical.match_trace(self.entries, trace, log, text, self.literals)
        explained = any(h.exc is not None and not h.partial for h in hits)
        hits_by_entry: dict[str, list[lexical.SignatureHit]] = {}
        near_misses: set[str] = set()
        for hit in hits:
            if hit.partial:
                near_misses.add(hit.entry_id)
                continue
            if explained and hit.exc is None and self.by_id[hit.entry_id].cascade:
                continue  # a consequence seen elsewhere in the log does not explain this error
            hits_by_entry.setdefault(hit.entry_id, []).append(hit)
        for entry_id in list(hits_by_entry):
            for general in self.by_id[entry_id].refines:
                if hits_by_entry.pop(general, None) is not None:
                    near_misses.add(general)  # the more specific entry explains this symptom
        query = query_text(log, trace)
        q_tokens = lexical.tokenize(query)
        bm = self.bm25.scores(q_tokens)
        max_possible = self.bm25.max_score(q_tokens)
        lex_best: dict[str, tuple[float, int]] = {}
        for i, doc in enumerate(self.docs):
            if doc.source in exclude:
                continue
            if bm[i] > lex_best.get(doc.entry_id, (-1.0, -1))[0]:
                lex_best[doc.entry_id] = (bm[i], i)
        top_lex = max((s for s, _ in lex_best.values()), default=0.0) or 1.0
        dense_best = self._dense_scores(query, exclude)
        results = []
        for entry in self.entries:
            lex_score, lex_doc = lex_best.get(entry.id, (0.0, -1))
            d_score, d_doc = dense_best.get(entry.id, (0.0, None))
            other = max((s for eid, (s, _) in dense_best.items() if eid != entry.id), default=0.0)
            entry_hits = hits_by_entry.get(entry.id, [])
            features = {
                "sig": max((h.signature.weight for h in entry_hits), default=0.0),
                "lex": lex_score / max_possible,
                "lex_top": lex_score / top_lex,
                "dense": d_score,
                "dense_gap": d_score - other,
                "near_miss": 1.0 if entry.id in near_misses and not entry_hits else 0.0,
            }
            for name in blind:
                features[name] = 0.0
            shared = ()
            if lex_doc >= 0 and lex_score > 0:
                doc_terms = set(self.doc_tokens[lex_doc])
                ranked = sorted({t for t in q_tokens if t in doc_terms}, key=lambda t: -self.bm25.idf.get(t, 0.0))
                shared = tuple(ranked[:8])
            logit = calibration.logit(features)
            if entry.cascade and not entry_hits:
                # a consequence (an NCCL watchdog timeout) looks like any launcher noise to retrieval:
                # only its own signature may name it confidently
                logit = min(logit, CASCADE_RETRIEVAL_LOGIT)
            results.append(Scored(entry, features, entry_hits, shared, d_doc, logit, sigmoid(logit)))
        results.sort(key=lambda s: -s.confidence)
        return results

    def _dense_scores(self, query: str, exclude: frozenset[str]) -> dict[str, tuple[float, Doc]]:
        if self.dense is None or self.encoder is None or not self.dense_docs:
            return {}
        vector = self.encoder.encode([query])
        sims, ids = self.dense.search(vector)
        best: dict[str, tuple[float, Doc]] = {}
        for sim, idx in zip(sims[0], ids[0]):
            if idx < 0:
                continue
            doc = self.dense_docs[idx]
            if doc.source in exclude or doc.entry_id in best or doc.entry_id not in self.by_id:
                continue
            best[doc.entry_id] = (float(sim), doc)
        return best

    # verdict ----------------------------------------------------------------------------------
    def diagnose_log(self, log: Log, *, top: int = 3, findings: tuple[Finding, ...] = (),
                     exclude: frozenset[str] = frozenset(), calibration: Calibration | None = None,
                     blind: frozenset[str] = frozenset()) -> Report:
        """Diagnose a parsed log.

        Cascade: while the encoder and index are not loaded yet, signatures and BM25 go first. When a
        signature decides the outcome (see :func:`decisive`), dense retrieval could only add a line of
        evidence, so it is skipped; otherwise the encoder and index are loaded and everything is
        scored again with all the evidence.
        """
        if self._dense_loader is not None:
            quick = self._rank(log, top, findings, exclude, calibration, blind)
            if calibration is None and not blind and decisive(*quick[1:]):
                return quick[0]
            self.load_dense()
        return self._rank(log, top, findings, exclude, calibration, blind)[0]

    def _rank(self, log, top, findings, exclude, calibration, blind):
        traces = candidate_traces(log)
        text = lexical.LogText(log.text)  # shared by every candidate: whole-log searches run once
        per_candidate: list[tuple[Trace | None, list[Scored]]] = []
        for trace in traces or [None]:
            scored = self.score(log, trace, exclude=exclude, calibration=calibration, text=text, blind=blind)
            if findings:
                scored = apply_findings(scored, findings)
            per_candidate.append((trace, scored))
        chosen_trace, chosen = choose_root_cause(per_candidate)
        matches = tuple(self._match(s, findings) for s in chosen[:top])
        verdict = "match" if chosen and chosen[0].confidence >= THRESHOLD else "no_match"
        return Report(verdict, matches, chosen_trace, log, findings, tuple(self.notes)), per_candidate, chosen_trace

    def diagnose_findings(self, findings: tuple[Finding, ...], *, top: int = 3) -> Report:
        """Rank entries from introspection findings alone (``kbfix inspect``)."""
        support: dict[str, list[Finding]] = {}
        refuted: set[str] = set()
        for finding in findings:
            for entry_id in finding.supports:
                support.setdefault(entry_id, []).append(finding)
            refuted.update(finding.refutes)
        matches = []
        for entry_id, found in support.items():
            if entry_id not in self.by_id or entry_id in refuted:
                continue
            confidence = 1.0 - 0.15 ** len(found)
            evidence = tuple(Evidence("finding", f.summary, captures={k: str(v) for k, v in f.facts.items()},
                                      weight=FINDING_SUPPORT_LOGIT) for f in found)
            entry = self.by_id[entry_id]
            captures = {k: str(v) for f in found for k, v in f.facts.items() if isinstance(v, (str, int, float))}
            matches.append(Match(entry, confidence, evidence, captures, {"findings": float(len(found))}))
        matches.sort(key=lambda m: -m.confidence)
        verdict = "match" if matches and matches[0].confidence >= THRESHOLD else "no_match"
        return Report(verdict, tuple(matches[:top]), None, None, findings, tuple(self.notes))

    def _match(self, scored: Scored, findings: tuple[Finding, ...]) -> Match:
        evidence: list[Evidence] = []
        captures: dict[str, str] = {}
        for hit in scored.hits:
            where = f" in {hit.exc.type}" if hit.exc is not None else " in the log"
            evidence.append(Evidence("signature", f"signature '{hit.signature.id}' matched{where}: {hit.matched[:200]}",
                                     hit.lines, (), dict(hit.captures), hit.signature.weight))
            for key, value in hit.captures.items():
                captures.setdefault(key, value)
        if scored.lex_tokens:
            evidence.append(Evidence("lexical", "shared terms: " + ", ".join(scored.lex_tokens),
                                     tokens=scored.lex_tokens, weight=round(scored.features["lex"], 3)))
        if scored.dense_doc is not None and scored.features["dense"] > 0:
            evidence.append(Evidence("dense", f"nearest corpus text: {scored.dense_doc.source} "
                                              f"(cosine {scored.features['dense']:.2f})",
                                     weight=round(scored.features["dense"], 3)))
        for finding in findings:
            if scored.entry.id in finding.supports:
                evidence.append(Evidence("finding", f"supported by {finding.kind}: {finding.summary}", weight=FINDING_SUPPORT_LOGIT))
            if scored.entry.id in finding.refutes:
                evidence.append(Evidence("finding", f"contradicted by {finding.kind}: {finding.summary}", weight=FINDING_REFUTE_LOGIT))
        scores = {k: round(v, 4) for k, v in scored.features.items()}
        return Match(scored.entry, round(scored.confidence, 4), tuple(evidence), captures, scores)


def apply_findings(scored: list[Scored], findings: tuple[Finding, ...]) -> list[Scored]:
    """A finding that supports an entry raises its logit; one that refutes it sinks it."""
    out = []
    for s in scored:
        delta = sum(FINDING_SUPPORT_LOGIT for f in findings if s.entry.id in f.supports)
        delta += sum(FINDING_REFUTE_LOGIT for f in findings if s.entry.id in f.refutes)
        logit = s.logit + delta
        out.append(Scored(s.entry, s.features, s.hits, s.lex_tokens, s.dense_doc, logit, sigmoid(logit)))
    out.sort(key=lambda s: -s.confidence)
    return out


def choose_root_cause(per_candidate: list[tuple[Trace | None, list[Scored]]]) -> tuple[Trace | None, list[Scored]]:
    """The earliest confident error that is not a consequence of another; else the best guess."""
    def confident(item):
        return item[1] and item[1][0].confidence >= THRESHOLD

    def secondary(item) -> bool:
        trace, scored = item
        return trace is not None and (is_generic_cascade(trace) or is_warning(trace)) or scored[0].entry.cascade

    confident_items = [item for item in per_candidate if confident(item)]
    primary = [item for item in confident_items if not secondary(item)]
    if primary:
        return primary[0]
    if confident_items:
        return max(confident_items, key=lambda item: item[1][0].confidence)
    if not per_candidate:
        return None, []
    # nothing confident: report the error the user most likely saw, with its nearest candidates
    plain = [item for item in per_candidate if item[0] is None or not (is_generic_cascade(item[0]) or is_warning(item[0]))]
    return (plain or per_candidate)[-1]


DECISIVE_WEIGHT = 0.9


def decisive(per_candidate: list[tuple[Trace | None, list[Scored]]], chosen_trace: Trace | None) -> bool:
    """True when dense evidence cannot change the answer: the chosen error is the first one in the
    log that is not a consequence of another, one entry's signature of weight >= 0.9 fired on it,
    and no other entry's signature did (on it or on any error before it)."""
    primaries = [item for item in per_candidate if item[0] is not None
                 and not (is_generic_cascade(item[0]) or is_warning(item[0]))]
    if not primaries or primaries[0][0] is not chosen_trace:
        return False
    scored = primaries[0][1]
    fired = [s for s in scored if s.features["sig"] > 0]
    return (len(fired) == 1 and fired[0] is scored[0] and fired[0].features["sig"] >= DECISIVE_WEIGHT
            and not fired[0].entry.cascade and scored[0].confidence >= THRESHOLD)


def fill(template: str, captures: dict[str, str], placeholders: dict[str, str]) -> str:
    """Put captured values into fix text: {name} -> capture, else the entry's placeholder, else <name>."""
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return captures.get(name) or placeholders.get(name) or f"<{name}>"

    return re.sub(r"\{([A-Za-z_]\w*)\}", sub, template)


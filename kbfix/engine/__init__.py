"""The matching engine, one stage per module:

1. ``documents``: corpus entries -> documents; one error -> the query text (and the prepared cache);
2. ``candidates``: a parsed log -> the errors that could be the root cause;
3. ``signatures`` (regex rules), ``lexical`` (BM25), ``encode`` + ``index`` (dense retrieval) ->
   ``features``: one feature vector and calibrated confidence per entry (``calibration``);
4. ``verdict``: findings applied, the root cause chosen among the candidates, the Report.

:class:`Engine` holds what is loaded once per process; ``get_engine`` caches it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kbfix import cache
from kbfix import corpus as corpus_mod
from kbfix.engine import calibration, encode, signatures, verdict
from kbfix.engine.candidates import candidates
from kbfix.engine.documents import VERSION as DOCUMENTS_VERSION
from kbfix.engine.documents import load_or_prepare
from kbfix.engine.features import Scorer
from kbfix.model import Finding, Log, Report

if TYPE_CHECKING:  # numpy and FAISS load with the dense stage, never on the signature path
    from kbfix.engine import index


def score_candidates(scorer: Scorer, log: Log, findings: tuple[Finding, ...] = (), *, dense: bool = True,
                     text: signatures.LogText | None = None) -> list[verdict.Candidate]:
    """Every candidate error of the log with its scored entries (whole-log searches run once);
    ``dense=False`` leaves dense retrieval out even when it is loaded. Passing the ``text`` of an
    earlier pass over the same log reuses its signature and lexical work."""
    text = text or signatures.LogText.of(log)
    return [(trace, verdict.apply_findings(scorer.score(log, trace, text, dense=dense), findings))
            for trace in candidates(log) or [None]]


class Engine:
    """Everything a diagnosis needs, loaded once per process.

    The encoder and the FAISS index load on first need (``dense_loader``): signatures and BM25 go
    first, and when a signature decides the outcome (:func:`verdict.decisive`) dense retrieval
    could only add a line of evidence, so it is skipped. It is skipped for such an error whether or
    not the index happens to be loaded already: the same text gets the same answer, to the digit,
    in a fresh pipe, a long-lived editor server and the evaluation scripts.
    """

    def __init__(self, corpus: corpus_mod.Corpus, scorer: Scorer,
                 dense_loader: Callable[[], tuple[index.DenseIndex, object, str | None]] | None = None,
                 problems: tuple[str, ...] = ()):
        self.corpus = corpus
        self.entries = corpus.entries
        self.by_id = {e.id: e for e in corpus.entries}
        self.scorer = scorer
        self._dense_loader = dense_loader
        self._problems = list(problems)

    @property
    def dense(self) -> index.DenseIndex | None:
        return self.scorer.dense[0] if self.scorer.dense is not None else None

    def load_dense(self) -> None:
        if self._dense_loader is not None:
            dense_index, encoder, problem = self._dense_loader()
            self._dense_loader = None
            self.scorer.dense = (dense_index, encoder)
            if problem:
                self._problems.append(problem)

    def status(self) -> tuple[str, ...]:
        """Problems the user should know of: entries skipped as invalid, a cache that is not used or
        could not be written. Empty when all is well."""
        return tuple(self._problems)

    def diagnose(self, log: Log | None, *, findings: tuple[Finding, ...] = (), top: int = 3) -> Report:
        """The report for a parsed log with findings as evidence, or for findings alone (``log=None``)."""
        if log is None:
            return verdict.from_findings(self.by_id, findings, top, self.status())
        text = signatures.LogText.of(log)
        quick = score_candidates(self.scorer, log, findings, dense=False, text=text)
        chosen_trace, _ = verdict.choose_root_cause(quick)
        if verdict.decisive(quick, chosen_trace):
            return verdict.decide(quick, log, findings, top, self._notes(log))
        self.load_dense()
        if self.scorer.dense is None:
            return verdict.decide(quick, log, findings, top, self._notes(log))  # no dense stage: nothing to add
        full = score_candidates(self.scorer, log, findings, text=text)
        return verdict.decide(full, log, findings, top, self._notes(log))

    def rank(self, log: Log, findings: tuple[Finding, ...] = (), top: int = 3, *,
             scorer: Scorer | None = None) -> Report:
        """Score with every stage loaded (or with a tuning ``scorer``) and decide."""
        per_candidate = score_candidates(scorer or self.scorer, log, findings)
        return verdict.decide(per_candidate, log, findings, top, self._notes(log))

    def _notes(self, log: Log) -> tuple[str, ...]:
        truncated = ("the input was long: kbfix kept the error blocks and the tail",) if log.truncated else ()
        return self.status() + truncated


def build_engine(root: Path | str | None = None, model: str | None = None, *, rebuild: bool = False,
                 progress: Callable[[int, int], None] | None = None, dense: bool = True,
                 lazy: bool = False) -> Engine:
    """Load the corpus, the encoder and the (cached) FAISS index.

    ``lazy``: load the encoder and index only when a diagnosis needs them (the pipe and the API).
    """
    corpus = corpus_mod.load_cached(root)
    prepared = load_or_prepare(corpus)
    problems: list[str] = []
    if corpus.problems:
        skipped = sorted({Path(p.file).parent.name for p in corpus.problems})
        problems.append(f"{len(skipped)} corpus entr{'y' if len(skipped) == 1 else 'ies'} skipped as invalid "
                        f"({', '.join(skipped[:5])}); run 'kbfix corpus check'")
    cache_problem = cache.problem()
    if cache_problem:
        problems.append(cache_problem)
    scorer = Scorer(corpus.entries, prepared, calibration.load())

    def load_dense():
        from kbfix.engine import index

        encoder = encode.load_encoder(model)
        corpus_key = f"{corpus.hash}:{DOCUMENTS_VERSION}:{len(prepared)}"
        dense_index, _, problem = index.load_or_build(encoder, lambda: prepared.docs, corpus_key,
                                                      rebuild=rebuild, progress=progress, count=len(prepared))
        return dense_index, encoder, problem

    engine = Engine(corpus, scorer, load_dense if dense else None, tuple(problems))
    if dense and not lazy:
        engine.load_dense()
    return engine


@lru_cache(maxsize=4)
def get_engine(root: str | None = None, model: str | None = None) -> Engine:
    model = encode.model_setting(model)
    return build_engine(root, model, lazy=model is None)  # a model asked for by name is loaded (and checked) at once

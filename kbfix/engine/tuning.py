"""The knobs only ``scripts/`` turn: score with documents left out and features blinded.

``scripts/calibrate.py`` scores each case out of fold (its own documents left out); ``scripts/
evaluate.py`` measures each component alone (other calibration variants) and blinded features (as if
no signature knew a wording). The production path (:class:`kbfix.engine.features.Scorer`) has none
of these.
"""

from __future__ import annotations

from kbfix.engine.calibration import Calibration
from kbfix.engine.documents import Prepared
from kbfix.engine.features import Scorer
from kbfix.model import Entry


class TuningScorer(Scorer):
    """A :class:`Scorer` that ignores the documents named in ``exclude`` (by source) and zeroes the
    features named in ``blind``."""

    def __init__(self, entries: tuple[Entry, ...], prepared: Prepared, calibration: Calibration, dense=None, *,
                 exclude: frozenset[str] = frozenset(), blind: frozenset[str] = frozenset()):
        super().__init__(entries, prepared, calibration, dense)
        self.exclude = exclude
        self.blind = blind

    @classmethod
    def like(cls, scorer: Scorer, *, calibration: Calibration | None = None, exclude: frozenset[str] = frozenset(),
             blind: frozenset[str] = frozenset()) -> TuningScorer:
        """A tuning copy of ``scorer`` (same corpus, documents and dense index)."""
        tuned = cls.__new__(cls)
        tuned.__dict__.update(scorer.__dict__)
        tuned.calibration = calibration or scorer.calibration
        tuned.exclude = exclude
        tuned.blind = blind
        return tuned

    def usable(self, source: str) -> bool:
        return source not in self.exclude

    def seen(self, features: dict[str, float]) -> dict[str, float]:
        return {k: (0.0 if k in self.blind else v) for k, v in features.items()}

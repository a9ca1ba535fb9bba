"""P(entry is the root cause | features): the fitted model behind every confidence kbfix prints.

``scripts/calibrate.py`` fits it out of fold on the corpus cases and writes ``calibration.json``
(with the corpus hash it was fitted on); ``load`` reads one variant of it. Pure Python.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PATH = Path(__file__).with_name("calibration.json")
FEATURES = ("sig", "sig_loose", "sig_frag", "lex", "lex_top", "dense", "dense_gap", "near_miss")
SIGNATURE_FEATURES = ("sig", "sig_loose", "sig_frag")  # a full, a loose and a fragment hit: see signatures
FRAGMENT_KEY = "@fragment"  # a signature_factors key's suffix: the factor of the signature's fragment hits
VARIANTS = {
    "hybrid": FEATURES,
    "signatures": SIGNATURE_FEATURES,
    "lexical": ("lex", "lex_top"),
    "dense": ("dense", "dense_gap"),
}
# Used until scripts/calibrate.py has written calibration.json (and by its first iteration).
DEFAULT_PRECISION = {"sig": 0.99, "sig_loose": 0.9, "sig_frag": 0.8}
DEFAULT = {
    "hybrid": {"bias": -7.0, "weights": {"lex_top": 3.0, "dense": 3.0, "dense_gap": 4.0, "near_miss": -2.0},
               "signature_precision": DEFAULT_PRECISION},
    "signatures": {"bias": -30.0, "weights": {}, "signature_precision": DEFAULT_PRECISION},
    "lexical": {"bias": -5.0, "weights": {"lex": 4.0, "lex_top": 3.0}},
    "dense": {"bias": -6.0, "weights": {"dense": 5.0, "dense_gap": 6.0}},
}


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


@dataclass(frozen=True)
class Calibration:
    """``bias`` + ``weights``: a logistic model of the lexical and dense evidence (fitted on rows where
    no signature of the entry fired). ``signature_precision``: per hit level (``sig`` full,
    ``sig_loose``, ``sig_frag``), how often a signature hit of that level named the right entry, out
    of fold, by the rule of succession. Each level's hit of weight w joins a noisy-OR:
    1 - prod(1 - w * precision) * (1 - p_logistic), so retrieval can corroborate a weak signature and
    a strong one stays just below certainty. ``corroboration_shift`` (<= 0) lowers the logistic's logit
    where a signature fired: retrieval reads the words the signature matched, so it is not independent
    of it, and a look-alike shares both; the fit sets it so that few weak hits are carried over wrong.
    """

    bias: float
    weights: dict[str, float]
    signature_precision: dict[str, float] | None = None
    # "entry/signature" -> how much less often than its level this signature named the right entry
    # out of fold (shrunk towards 1 for signatures seldom seen); absent: 1.
    # "entry/signature@fragment" -> the same for the signature's fragment hits (a cut message), counted
    # over the paste forms that cut it; it may exceed 1, up to a full hit's precision: where a
    # signature's wording is distinctive from its first words, its cut form names the cause as
    # reliably as the whole message
    signature_factors: dict[str, float] | None = None
    corroboration_shift: float = 0.0

    def factor(self, entry_id: str, signature_id: str, fragment: bool = False) -> float:
        if not self.signature_factors:
            return 1.0
        key = f"{entry_id}/{signature_id}"
        own = self.signature_factors.get(key + FRAGMENT_KEY) if fragment else None
        return own if own is not None else self.signature_factors.get(key, 1.0)

    def retrieval_logit(self, features: dict[str, float]) -> float:
        """The logistic's logit of the lexical and dense evidence, before any corroboration shift."""
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    def signature_evidence(self, features: dict[str, float]) -> float:
        """The noisy-OR of the hits: 1 - prod(1 - w * precision) over the levels that fired (0: none)."""
        miss = 1.0
        for name, precision in (self.signature_precision or {}).items():
            miss *= 1.0 - features.get(name, 0.0) * precision
        return 1.0 - miss

    @cached_property
    def _terms(self) -> tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]:
        """The precision and weight items as tuples, read once (a frozen instance's cache)."""
        return tuple((self.signature_precision or {}).items()), tuple(self.weights.items())

    def probability(self, features: dict[str, float]) -> float:
        # retrieval_logit and signature_evidence written out (the same operations in the same order, so
        # the same digits): this runs for every entry and every candidate error of a log
        get = features.get
        precisions, weights = self._terms
        miss, fired = 1.0, False
        for name, precision in precisions:
            value = get(name, 0.0)
            fired = fired or bool(value)
            miss *= 1.0 - value * precision
        total = 0
        for name, w in weights:
            total += w * get(name, 0.0)
        x = self.bias + total + (self.corroboration_shift if fired else 0.0)
        retrieval = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))  # sigmoid, inline
        return 1.0 - (1.0 - (1.0 - miss)) * (1.0 - retrieval)

    def logit(self, features: dict[str, float]) -> float:
        p = min(max(self.probability(features), 1e-12), 1 - 1e-12)
        return math.log(p / (1 - p))

    @classmethod
    def from_json(cls, raw: dict) -> Calibration:
        precision = raw.get("signature_precision")
        if isinstance(precision, (int, float)):  # an older file: one precision for full hits
            precision = {**DEFAULT_PRECISION, "sig": float(precision)}
        factors = raw.get("signature_factors") or None
        return cls(float(raw["bias"]), {k: float(v) for k, v in raw["weights"].items()},
                   {k: float(v) for k, v in precision.items()} if precision else None,
                   {k: float(v) for k, v in factors.items()} if factors else None,
                   float(raw.get("corroboration_shift", 0.0)))


def read(path: Path = PATH) -> dict:
    """The whole calibration record (variants, corpus hash, quality figures); {} when absent."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load(variant: str = "hybrid", path: Path = PATH) -> Calibration:
    data = read(path).get("variants") or DEFAULT
    return Calibration.from_json(data.get(variant) or DEFAULT[variant])

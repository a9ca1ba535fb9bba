"""The calibration fit (scripts/calibrate.py) on small synthetic rows: where it puts the retrieval bar."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import calibrate  # noqa: E402

from kbfix.engine.calibration import FEATURES, Calibration  # noqa: E402

MODEL = {"bias": -2.0, "weights": {"lex_top": 1.0, "dense": 3.0},
         "signature_precision": {"sig": 0.9, "sig_loose": 0.8, "sig_frag": 0.6}}


def row(**features: float) -> list[float]:
    return [features.get(name, 0.0) for name in FEATURES]


def test_the_margin_of_a_row_without_a_hit_is_its_logit():
    calibration = Calibration.from_json(MODEL)
    features = dict(zip(FEATURES, row(lex_top=1.0, dense=0.5)))
    assert calibrate.retrieval_margin(calibration, features) == pytest.approx(calibration.logit(features))


@pytest.mark.parametrize("weight", [0.1, 0.3, 0.5])
def test_a_weak_hit_lowers_the_bar_retrieval_must_reach_to_exactly_its_margin(weight):
    calibration = Calibration.from_json(MODEL)
    features = dict(zip(FEATURES, row(sig_frag=weight, lex_top=1.0, dense=0.4)))
    margin = calibrate.retrieval_margin(calibration, features)
    assert margin > calibration.bias + 1.0 + 3.0 * 0.4  # the hit lowers the bar below a logit of 0
    shifted = Calibration.from_json({**MODEL, "bias": MODEL["bias"] - margin})
    assert shifted.probability(features) == pytest.approx(0.5)


def test_a_hit_that_is_confident_alone_has_no_margin():
    calibration = Calibration.from_json(MODEL)
    assert calibrate.retrieval_margin(calibration, dict(zip(FEATURES, row(sig=1.0)))) is None


def test_the_corroboration_shift_holds_look_alikes_with_a_weak_hit_below_the_line():
    """Retrieval alone answers every look-alike below 0.5; the noisy-OR of a weak hit on the same words
    would carry them over. The fitted shift keeps them out and the clear answers in."""
    rows, labels, groups = [], [], []
    for i in range(100):  # right answers retrieval finds alone
        rows.append(row(lex_top=1.0, dense=0.9))
        labels.append(1)
        groups.append(f"match:{i}")
    for i in range(20):  # look-alikes: the own entry's weak signature plus the words it shares
        rows.append(row(sig_frag=0.3, lex_top=1.0, dense=0.3))
        labels.append(0)
        groups.append(f"nomatch:{i}")
    x, y = np.array(rows), np.array(labels, dtype=float)
    model = {**MODEL, "bias": MODEL["bias"] + calibrate.tune_retrieval_bias(x, y, groups, MODEL)}
    shift = calibrate.tune_corroboration_shift(x, y, groups, model)
    assert shift < 0 and not math.isinf(shift)
    untuned, tuned = Calibration.from_json(model), Calibration.from_json({**model, "corroboration_shift": shift})
    look_alike, clear = dict(zip(FEATURES, rows[-1])), dict(zip(FEATURES, rows[0]))
    assert untuned.probability({**look_alike, "sig_frag": 0.0}) < 0.5 < untuned.probability(look_alike)
    assert tuned.probability(look_alike) < 0.5
    assert tuned.probability(clear) == untuned.probability(clear) > 0.5  # no hit: the shift does not apply


def test_no_shift_where_weak_hits_and_retrieval_are_right():
    rows = [row(sig_loose=0.4, lex_top=1.0, dense=0.6)] * 60  # enough to show a wrong rate under 2%
    groups = [f"match:{i}" for i in range(60)]
    x, y = np.array(rows), np.ones(60)
    assert calibrate.tune_corroboration_shift(x, y, groups, MODEL) == 0.0


def test_a_few_right_answers_do_not_show_a_two_percent_wrong_rate():
    """Ten right answers and none wrong could still be 10% wrong: the rule of succession keeps the bar
    above them until enough are seen."""
    few = [(1.0, 1.0)] * 10
    assert calibrate._bar(few) == pytest.approx(1.001)
    assert calibrate._bar([(1.0, 1.0)] * 60) == -math.inf

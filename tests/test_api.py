"""The Python API."""

import kbfix
from kbfix.model import Finding


def test_diagnose_returns_report_with_best_match():
    report = kbfix.diagnose("ValueError: optimizer got an empty parameter list")
    assert report.verdict == "match"
    assert report.best is not None and report.best.entry.id == "no-trainable-parameters"
    assert 0.5 <= report.best.confidence <= 1.0


def test_diagnose_abstains_on_unrelated_text():
    report = kbfix.diagnose("ZeroDivisionError: division by zero")
    assert report.verdict == "no_match" and report.best is None


def test_findings_can_decide():
    text = "ValueError: optimizer got an empty parameter list"
    refuting = Finding("config", "train.yaml", "language model trainable", refutes=("no-trainable-parameters",))
    report = kbfix.diagnose(text, findings=(refuting,))
    assert report.best is None or report.best.entry.id != "no-trainable-parameters"

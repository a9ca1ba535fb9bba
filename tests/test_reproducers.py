"""Every reproducer triggers the real error, kbfix names it, and the fix makes it go away."""

from pathlib import Path

import pytest

from kbfix import corpus, traceback
from kbfix.reproduce import run
from conftest import ROOT

ENTRIES = [e for e in corpus.load(ROOT / "corpus", strict=False, validate=True).entries if (Path(e.path) / "reproduce.py").exists()]


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.id) for e in ENTRIES])
def test_reproducer(engine, entry):
    outcome = run(Path(entry.path))
    if outcome.missing:
        pytest.skip(f"needs {', '.join(outcome.missing)}")
    assert outcome.error_text.strip(), "reproduce() neither raised nor returned the library's output"
    report = engine.diagnose(traceback.parse(outcome.error_text))
    ranked = [(m.entry.id, m.confidence) for m in report.matches]
    assert report.verdict == "match" and ranked[0][0] == entry.id, (ranked, outcome.error_text[-1500:])
    assert not outcome.fixed_error, f"fixed() still fails:\n{outcome.fixed_error}"
    if outcome.fixed_text.strip():
        after = engine.diagnose(traceback.parse(outcome.fixed_text))
        assert not (after.verdict == "match" and after.matches[0].entry.id == entry.id), outcome.fixed_text[-1500:]
    for index in outcome.fixes:
        assert entry.fixes[index].verification == "reproducer", f"fix {index} is proven here: mark it verification = 'reproducer'"

"""Fixtures for the terminal UI tests: a frozen engine for snapshots, stable version warnings."""

from __future__ import annotations

import pytest

from .support import DATA

# Fixed weights: snapshots must not move when scripts/calibrate.py refits calibration.json.
SNAPSHOT_CALIBRATION = {"sig": 6.0, "lex": 2.0, "lex_top": 1.5, "dense": 3.0, "dense_gap": 4.0}


@pytest.fixture(scope="session")
def frozen_engine():
    """A real engine over tests/tui/data/corpus (four entries), without dense retrieval and with
    fixed calibration: the rankings the snapshots show depend on nothing that evolves elsewhere."""
    from kbfix import corpus
    from kbfix.engine import Engine
    from kbfix.engine.calibration import Calibration
    from kbfix.engine.documents import load_or_prepare
    from kbfix.engine.features import Scorer

    loaded = corpus.load(DATA / "corpus", strict=False)
    assert len(loaded.entries) == 4, loaded.problems
    return Engine(loaded, Scorer(loaded.entries, load_or_prepare(loaded), Calibration(-6.0, SNAPSHOT_CALIBRATION)))


@pytest.fixture
def no_installed_versions(monkeypatch):
    """Version warnings compare with what this machine has installed: keep them out of snapshots."""
    monkeypatch.setattr("kbfix.versions.installed", lambda package: None)

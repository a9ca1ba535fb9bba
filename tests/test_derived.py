"""Derived data shipped with kbfix was built from the corpus in the tree (else: scripts/rebuild.py)."""

import json

from conftest import ROOT

from kbfix import corpus
from kbfix.engine import calibration, encode

TREE = corpus.corpus_hash(ROOT / "corpus")
HINT = "the corpus changed since it was built: run python scripts/rebuild.py"


def test_the_bundled_encoder_was_built_from_this_corpus():
    build = json.loads((encode.DEFAULT_ENCODER_DIR / "BUILD.json").read_text())
    assert build["corpus_hash"] == TREE, HINT


def test_the_calibration_was_fitted_on_this_corpus():
    assert calibration.read().get("corpus_hash") == TREE, HINT

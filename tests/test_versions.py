"""Warnings when installed versions differ from an entry's affected range or verified versions."""

from dataclasses import replace
from importlib import metadata

from kbfix import corpus
from kbfix.versions import fix_verification, installed, warnings_for
from conftest import ROOT

ENTRY = corpus.load(ROOT / "corpus", strict=False, validate=True).get("no-trainable-parameters")


def test_installed_matches_importlib_metadata():
    for name in ("torch", "transformers", "numpy", "faiss-cpu", "sentence_transformers"):
        assert installed(name) == metadata.version(name)
    assert installed("surely-not-installed-pkg") is None


def test_outside_affected_range_warns():
    entry = replace(ENTRY, affected={"torch": "<1.0"})
    assert any("outside the affected range <1.0" in w for w in warnings_for(entry))
    assert not warnings_for(replace(ENTRY, affected={"torch": ">=1.0"}, verified={}))


def test_other_verified_version_warns():
    verified = {"fixes": [{"index": 0, "kind": "reproducer", "passed": True, "versions": {"torch": "1.13.1"}}]}
    entry = replace(ENTRY, affected={}, verified=verified)
    assert any("verified with torch 1.13.1" in w for w in warnings_for(entry))
    same = {"fixes": [{"index": 0, "kind": "reproducer", "passed": True, "versions": {"torch": installed("torch")}}]}
    assert not warnings_for(replace(ENTRY, affected={}, verified=same))
    data = fix_verification(entry, 0, entry.fixes[0])
    assert data == {"kind": "reproducer", "passed": True, "versions": {"torch": "1.13.1"}}

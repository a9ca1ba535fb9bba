"""scripts/verify_gpu.py: what a run on a GPU machine keeps, and what --merge lets into the corpus."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import verify_gpu  # noqa: E402

from kbfix.reproduce import GPU_RUN, recorded, source_hash  # noqa: E402

GPU_REPRODUCER = '''
REQUIRES = ()
DEVICES = ("cuda",)
def reproduce():
    raise RuntimeError("CUDA error: out of memory")
def fixed():
    pass
'''
CPU_REPRODUCER = GPU_REPRODUCER.replace('DEVICES = ("cuda",)', "")


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    for name, source in (("gpu-entry", GPU_REPRODUCER), ("cpu-entry", CPU_REPRODUCER)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "reproduce.py").write_text(source)
    monkeypatch.setattr(verify_gpu, "CORPUS", tmp_path)
    return tmp_path


def record(folder, **changes):
    base = {"entry": folder.name, "device": "NVIDIA H200", "cuda": "13.0", "date": "2026-12-04", "versions": {},
            "reproducer": source_hash(folder), "missing": [], "error_text": "RuntimeError: CUDA error: out of memory\n",
            "raised": True, "fixed_error": "", "fixed_text": "", "fixes": [0], "requires": []}
    return base | changes


def merged(corpus, tmp_path, records):
    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps(records))
    verify_gpu.merge(runs)
    return {p.parent.name for p in corpus.glob(f"*/{GPU_RUN}")}


def test_merge_keeps_a_current_run_and_reads_back_as_an_outcome(corpus, tmp_path):
    assert merged(corpus, tmp_path, [record(corpus / "gpu-entry")]) == {"gpu-entry"}
    outcome, meta = recorded(corpus / "gpu-entry")
    assert outcome.raised and "out of memory" in outcome.error_text and outcome.device == "NVIDIA H200"
    assert meta["reproducer"] == source_hash(corpus / "gpu-entry")


def test_merge_skips_a_run_of_another_reproducer_and_a_cpu_run_that_proves_nothing(corpus, tmp_path):
    records = [record(corpus / "gpu-entry", reproducer="0" * 16),      # reproduce.py changed since
               record(corpus / "cpu-entry", fixed_error="Traceback ...")]  # its fix failed there
    assert merged(corpus, tmp_path, records) == set()
    assert merged(corpus, tmp_path, [record(corpus / "cpu-entry", error_text="")]) == set()  # no error there


def test_a_failed_run_removes_the_older_record_it_contradicts(corpus, tmp_path):
    assert merged(corpus, tmp_path, [record(corpus / "cpu-entry")]) == {"cpu-entry"}
    assert merged(corpus, tmp_path, [record(corpus / "cpu-entry", fixed_error="Traceback ...")]) == set()


def test_a_child_run_records_what_the_reproducer_printed(corpus):
    pytest.importorskip("torch")
    found = verify_gpu.run_child(corpus / "cpu-entry", timeout=120)
    assert found["raised"] and "RuntimeError: CUDA error: out of memory" in found["error_text"]
    assert found["reproducer"] == source_hash(corpus / "cpu-entry") and not found["fixed_error"]
    assert (corpus / "cpu-entry" / GPU_RUN).exists()

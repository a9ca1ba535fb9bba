"""Warnings that mean something: the installed release lies outside an entry's affected range, or lacks an
API one of its fixes uses (checked against the API history); nothing for merely other versions."""

import subprocess
import sys
from dataclasses import replace
from importlib import metadata

from kbfix import apihistory, corpus
from kbfix.model import Text
from kbfix.versions import api_releases, fix_verification, installed, use_problem, warnings_for
from conftest import ROOT

ENTRY = corpus.load(ROOT / "corpus", strict=False, validate=True).get("no-trainable-parameters")


def test_installed_matches_importlib_metadata():
    for name in ("torch", "transformers", "numpy", "faiss-cpu", "sentence_transformers"):
        assert installed(name) == metadata.version(name)
    assert installed("surely-not-installed-pkg") is None


def test_outside_affected_range_warns_in_both_languages():
    entry = replace(ENTRY, affected={"torch": "<1.0"})
    warned = warnings_for(entry)
    assert warned and isinstance(warned[0], Text)
    assert "outside the affected range <1.0" in warned[0].en and "<1.0" in warned[0].zh
    assert not warnings_for(replace(ENTRY, affected={"torch": ">=1.0"}, verified={}))


def test_other_verified_versions_alone_do_not_warn():
    verified = {"fixes": [{"index": 0, "kind": "reproducer", "passed": True, "versions": {"torch": "1.13.1"}}]}
    entry = replace(ENTRY, affected={}, verified=verified)
    assert warnings_for(entry) == []
    data = fix_verification(entry, 0, entry.fixes[0])
    assert data == {"kind": "reproducer", "passed": True, "versions": {"torch": "1.13.1"}}


def _with_use(use: str):
    return replace(ENTRY, affected={}, fixes=(replace(ENTRY.fixes[0], uses=(use,)),) + ENTRY.fixes[1:])


def test_a_fix_whose_api_the_installed_release_lacks_warns():
    mine = installed("transformers")
    gone = _with_use("transformers:transformers.TrainingArguments(evaluation_strategy)")  # removed in 4.51
    warned = warnings_for(gone)
    assert warned and "fix 1 uses transformers.TrainingArguments(evaluation_strategy=...)" in warned[0].en
    has = str(apihistory.param_releases("transformers", "transformers.TrainingArguments", "evaluation_strategy"))
    assert has.startswith("3.2") and "4.50" in has  # the releases that had it (3.2.0 added it), as the API history says
    assert f"transformers {mine} (installed here) does not" in warned[0].en and has in warned[0].en
    assert "修复 1" in warned[0].zh
    assert warnings_for(_with_use("transformers:transformers.TrainingArguments(eval_strategy)")) == []


def test_the_release_shown_in_the_paste_is_judged_when_a_version_fact_read_one():
    entry = _with_use("transformers:transformers.TrainingArguments(eval_strategy)")  # added in 4.41
    pasted = {"library": "transformers", "installed": "4.38.2", "installed_source": "read from the pasted pip list"}
    warned = warnings_for(entry, pasted)
    assert warned and "transformers 4.38.2 (shown in the paste)" in warned[0].en
    assert warnings_for(entry, {**pasted, "installed": "4.45.2"}) == []


def test_uses_are_validated_against_the_history():
    assert use_problem("transformers:transformers.TrainingArguments(eval_strategy)") is None
    assert use_problem("huggingface_hub:huggingface_hub.hf_hub_download") is None
    assert "must read" in use_problem("TrainingArguments.eval_strategy")
    assert "not in the API history" in use_problem("notalib:notalib.thing")
    assert "no covered release" in use_problem("peft:peft.Loraconfig")
    assert str(api_releases("peft:peft.LoraConfig(use_dora)")).startswith("0.9")


def test_answers_without_uses_do_not_load_the_api_history():
    code = ("import sys; from kbfix import corpus; from kbfix.versions import warnings_for; "
            f"c = corpus.load({str(ROOT / 'corpus')!r}, strict=False); "
            "[warnings_for(e) for e in c.entries if not any(f.uses for f in e.fixes)]; "
            "print('kbfix.apihistory' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_answers_about_fix_apis_are_kept_for_the_next_run(tmp_path, monkeypatch):
    """The API history is read once per answer and history build: the next process reads the kept answer
    (the same releases) without loading the library's history."""
    import subprocess
    import sys

    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path))
    probe = ("import sys, kbfix.versions as v; r = v.api_releases('peft:peft.LoraConfig(use_dora)'); "
             "print(str(r), 'kbfix.apihistory.history' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert first == [str(api_releases("peft:peft.LoraConfig(use_dora)")), "True"]
    assert second == [first[0], "False"]  # the same answer, the history never loaded
    assert list(tmp_path.glob("uses-*.bin"))

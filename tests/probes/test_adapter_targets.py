import pytest

from kbfix.introspect import inspect_paths
from kbfix import probes
from kbfix.probes import adapter_targets, detect

from . import build

NOT_FOUND = "peft-target-modules-not-found"


def test_targets_from_another_architecture(gemma_adapter_clean, tmp_path):
    folder = build.copy(gemma_adapter_clean, tmp_path / "qwen1-names")
    build.edit_json(folder / "adapter_config.json", target_modules=["c_attn"])
    findings = adapter_targets.run(detect(folder))
    assert findings[0].kind == "target-modules-absent"
    assert findings[0].supports == (NOT_FOUND,)
    assert "q_proj" in findings[0].facts["linear_layers_of_base"]


def test_existing_targets(gemma_adapter_clean):
    findings = adapter_targets.run(detect(gemma_adapter_clean))
    assert findings[0].kind == "target-modules-present"
    assert NOT_FOUND in findings[0].refutes


def test_llamafactory_lora_target(qwen_dir, tmp_path):
    bad = build.write_yaml(tmp_path / "bad.yaml", model_name_or_path=str(qwen_dir), stage="sft",
                           finetuning_type="lora", lora_target="query_key_value", template="qwen")
    good = build.write_yaml(tmp_path / "good.yaml", model_name_or_path=str(qwen_dir), stage="sft",
                            finetuning_type="lora", lora_target="q_proj,v_proj", template="qwen")
    assert NOT_FOUND in {e for f in inspect_paths([bad]) for e in f.supports}
    assert any(NOT_FOUND in f.refutes for f in inspect_paths([good]))


def test_regex_targets(gemma_adapter_clean, tmp_path):
    folder = build.copy(gemma_adapter_clean, tmp_path / "regex")
    build.edit_json(folder / "adapter_config.json", target_modules=r".*\.(q_proj|v_proj)")
    assert adapter_targets.run(detect(folder))[0].kind == "target-modules-present"


CATASTROPHIC = "(.*)*(.*)*(.*)*z"  # exponential for a backtracking matcher on any module path


def test_a_catastrophic_regex_is_matched_in_linear_time(gemma_adapter_clean, gemma_dir, tmp_path):
    """Measured in a child process (a hang fails the test instead of the suite), after the base model has
    been built once (imports and the meta model are not the attack's cost): the inspection within 2 s,
    the whole process within 500 MB."""
    import json
    import subprocess
    import sys

    folder = build.copy(gemma_adapter_clean, tmp_path / "evil")
    build.edit_json(folder / "adapter_config.json", target_modules=CATASTROPHIC)
    code = (
        "import json, re, sys, time, torch, transformers\n"
        "from kbfix.artifacts import expect\n"
        "from kbfix.introspect import inspect_paths\n"
        "expect.expected(json.load(open(sys.argv[2] + '/config.json')))\n"
        "start = time.perf_counter()\n"
        "found = inspect_paths([sys.argv[1], sys.argv[2]])\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'kinds': [f.kind for f in found],\n"
        "                  'peak_mb': int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) / 1024}))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(folder), str(gemma_dir)], capture_output=True,
                          timeout=90, cwd=build.ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["seconds"] < 2 and result["peak_mb"] < 500, result
    assert "target-modules-absent" in result["kinds"]  # nothing ends in "z": a real answer, not a refusal


def test_a_regex_re2_cannot_take_is_said_so(gemma_adapter_clean, tmp_path):
    pytest.importorskip("re2")
    folder = build.copy(gemma_adapter_clean, tmp_path / "lookahead")
    build.edit_json(folder / "adapter_config.json", target_modules=r"(?=.*q_proj).*(\w)\1")
    findings = inspect_paths([folder])
    unchecked = [f for f in findings if f.kind == "regex-unchecked"]
    assert len(unchecked) == 1 and "cannot check this regex" in unchecked[0].summary.en
    assert unchecked[0].error == "not checked" and not unchecked[0].supports
    assert not any(NOT_FOUND in f.supports or NOT_FOUND in f.refutes for f in findings)
    assert not any(f.kind == "probe-failed" for f in findings)


def test_an_overlong_regex_is_not_checked(gemma_adapter_clean, tmp_path):
    folder = build.copy(gemma_adapter_clean, tmp_path / "long")
    build.edit_json(folder / "adapter_config.json", target_modules="(" + "|".join(["q_proj"] * 500) + ")")
    assert [f.kind for f in probes.run(detect(folder), probes=(adapter_targets,))] == ["regex-unchecked"]

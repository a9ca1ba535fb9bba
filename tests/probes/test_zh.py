"""Chinese finding summaries: every probe writes one, and `kbfix inspect --lang zh` shows it."""

import json
import re
from types import SimpleNamespace

import jsonschema
import pytest
from conftest import ROOT, run_kbfix

from kbfix import render
from kbfix.introspect import inspect_paths
from kbfix.model import Finding, Report, Text

from . import build
from .test_diagnosis import CASES
from .zh import has_chinese, problem

SCHEMA = json.loads((ROOT / "kbfix" / "schema" / "report.schema.json").read_text())


def frozen_yaml(tmp_path):
    return build.write_yaml(tmp_path / "frozen.yaml", model_name_or_path="Qwen/Qwen2-VL-7B-Instruct", stage="sft",
                            finetuning_type="full", freeze_vision_tower=True, freeze_multi_modal_projector=True,
                            freeze_language_model=True)


def test_inspect_json_in_chinese(tmp_path):
    proc = run_kbfix("inspect", str(frozen_yaml(tmp_path)), "--lang", "zh", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)  # summary_en is an extra property the schema allows
    frozen = next(f for f in report["findings"] if f["kind"] == "everything-frozen")
    assert has_chinese(frozen["summary"]) and "freeze_language_model" in frozen["summary"]
    assert frozen["summary_en"].startswith("freeze_vision_tower, freeze_multi_modal_projector")
    assert not has_chinese(frozen["summary_en"]) and "no parameter is left to train" in frozen["summary_en"]
    for finding in report["findings"]:
        assert has_chinese(finding["summary"]), finding
        assert not has_chinese(finding["summary_en"]), finding


def test_inspect_text_in_chinese_and_json_in_english(tmp_path):
    path = str(frozen_yaml(tmp_path))
    text = run_kbfix("inspect", path, "--lang", "zh").stdout.decode()
    assert re.search(r"everything-frozen: .*没有剩下任何可训练的参数", text), text
    english = json.loads(run_kbfix("inspect", path, "--json").stdout)
    frozen = next(f for f in english["findings"] if f["kind"] == "everything-frozen")
    assert frozen["summary"] == frozen["summary_en"] and not has_chinese(frozen["summary"])


def test_render_falls_back_to_english():
    bare = Finding("custom", "x", Text("an English summary only", ""))
    assert render.finding_json(bare, "zh")["summary"] == "an English summary only"
    both = Finding("custom", "x", Text("English", "中文"))
    assert render.finding_json(both, "zh") | {"facts": None} == {
        "kind": "custom", "subject": "x", "summary": "中文", "summary_en": "English", "facts": None, "supports": [],
        "refutes": [], "error": None}
    assert render.finding_json(both)["summary"] == "English"
    report = Report("no_match", (), None, findings=(both, bare))
    zh = render.render_text(report, "zh")
    assert "custom: 中文" in zh and "custom: an English summary only" in zh
    assert "custom: English" in render.render_text(report, "en")
    data = render.report_json(report, "zh")
    jsonschema.validate(data, SCHEMA)
    assert [f["summary"] for f in data["findings"]] == ["中文", "an English summary only"]


@pytest.mark.parametrize("make", [c[0] for c in CASES], ids=[c[0].__name__.removeprefix("scenario_") for c in CASES])
def test_every_scenario_finding_has_a_chinese_summary(make, tmp_path, request):
    findings = inspect_paths(make(tmp_path, request.getfixturevalue))
    assert findings
    assert [p for p in map(problem, findings) if p] == []


@pytest.mark.parametrize("fixture", ["qwen_dir", "qwen_sharded", "gemma_dir", "gemma_adapter_clean"])
def test_healthy_artifacts_have_chinese_summaries(fixture, request):
    findings = inspect_paths([request.getfixturevalue(fixture)])
    assert findings
    assert [p for p in map(problem, findings) if p] == []


def test_the_prefix_note_is_translated_too(tmp_path, qwen_dir):
    findings = inspect_paths([build.with_prefix(qwen_dir, tmp_path / "ddp.safetensors"), qwen_dir / "config.json"])
    prefix = next(f for f in findings if f.kind == "key-prefix-differs")
    assert "前缀" in prefix.summary.zh
    later = [f for f in findings if f.summary.en.startswith("with the prefix fixed, ")]
    assert all(f.summary.zh.startswith("修正前缀后，") for f in later)


def test_every_finding_in_the_code_is_written_in_both_languages():
    """Each ``Finding(...)`` kbfix constructs passes ``Text(english, chinese)`` with Chinese in it."""
    import ast

    checked = 0
    for path in sorted((ROOT / "kbfix").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                summary = node.args[2] if len(node.args) > 2 else next(k.value for k in node.keywords if k.arg == "summary")
                assert isinstance(summary, ast.Call) and getattr(summary.func, "id", None) == "Text", \
                    f"{path.name}:{node.lineno}: the summary must be Text(english, chinese)"
                chinese = summary.args[1] if len(summary.args) > 1 else next(
                    k.value for k in summary.keywords if k.arg == "zh")
                literal = "".join(n.value for n in ast.walk(chinese) if isinstance(n, ast.Constant) and isinstance(n.value, str))
                names = [n for n in ast.walk(chinese) if isinstance(n, ast.Name)]
                assert has_chinese(literal) or names, f"{path.name}:{node.lineno}: no Chinese in {ast.unparse(chinese)}"
                checked += 1
    assert checked > 50


def test_a_failing_probe_says_so_in_chinese(tmp_path):
    import types

    from kbfix import probes

    def boom(target):
        raise RuntimeError("boom")

    broken = types.ModuleType("kbfix.probes.broken")
    broken.applies, broken.run, broken.ENTRIES = (lambda target: True), boom, ()
    (failed,) = probes.run(probes.detect(frozen_yaml(tmp_path)), probes=(broken,))
    assert failed.kind == "probe-failed" and failed.error == "RuntimeError: boom"
    assert failed.summary.zh == "broken 探针未能完成检查"


def test_rarer_findings_have_chinese_summaries(tmp_path, gemma_adapter_clean, qwen_dir):
    import torch

    from kbfix.probes import adapter_targets, detect, live_params, of_object, zero3

    found = []
    (tmp_path / "ds_z2.json").write_text(json.dumps({"zero_optimization": {"stage": 2}}))
    config = build.write_yaml(tmp_path / "sft.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft",
                              deepspeed="ds_z2.json", device_map="auto")
    found += zero3.run(detect(config))
    partly = build.copy(gemma_adapter_clean, tmp_path / "partly")
    build.edit_json(partly / "adapter_config.json", target_modules=["q_proj", "c_attn"])
    found += adapter_targets.run(detect(partly))
    unchecked = build.copy(gemma_adapter_clean, tmp_path / "unchecked")
    build.edit_json(unchecked / "adapter_config.json", base_model_name_or_path="nobody/not-cached")
    found += adapter_targets.run(detect(unchecked))
    oversized = build.copy(qwen_dir, tmp_path / "oversized")
    with open(oversized / "model.safetensors", "ab") as f:
        f.write(b"\0" * 16)
    found += inspect_paths([oversized])
    model = build.causal_lm(build.qwen2())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    optimizer.param_groups[0]["params"] = []
    found += live_params.run(of_object(optimizer))
    found += live_params._trainer(SimpleNamespace(args=SimpleNamespace(fp16=True)), model, "trainer")
    model.model.embed_tokens.half()
    found += live_params._trainer(SimpleNamespace(args=SimpleNamespace(fp16=True)), model, "trainer")
    kinds = {f.kind for f in found}
    assert {"distributed-with-device-map", "target-modules-partly-absent", "target-modules-unchecked",
            "weights-file-oversized", "optimizer-empty", "fp32-trainable-under-amp",
            "fp16-trainable-under-amp"} <= kinds, kinds
    assert [p for p in map(problem, found) if p] == []

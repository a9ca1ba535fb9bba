"""End to end: damaged real artifacts, inspected and ranked against the corpus, give the right entry.

An entry the corpus does not hold yet is skipped (the corpus grows in its own issue).
"""

import json

import pytest

from kbfix.introspect import inspect_paths

from . import build


def scenario_tail(tmp_path, fx):
    return [build.drop_layers(build.copy(fx("qwen_dir"), tmp_path / "m"), 3)]


def scenario_shard(tmp_path, fx):
    folder = build.copy(fx("qwen_sharded"), tmp_path / "m")
    build.delete_last_shard(folder)
    return [folder]


def scenario_lfs(tmp_path, fx):
    folder = build.copy(fx("qwen_dir"), tmp_path / "m")
    build.lfs_pointer(folder / "model.safetensors")
    return [folder]


def scenario_prefix(tmp_path, fx):
    return [build.with_prefix(fx("qwen_dir"), tmp_path / "ddp.safetensors"), fx("qwen_dir") / "config.json"]


def scenario_vocab(tmp_path, fx):
    return [build.resized_vocab(tmp_path / "m")]


def scenario_wider(tmp_path, fx):
    return [build.widened_chinese_clip(tmp_path / "m")]


def scenario_zero3(tmp_path, fx):
    return [build.zero3_partitions(build.copy(fx("qwen_dir"), tmp_path / "m"))]


def scenario_tied_head(tmp_path, fx):
    return [fx("gemma_adapter"), fx("gemma_dir")]


def scenario_adapter_on_wider_base(tmp_path, fx):
    wide = build.save(build.causal_lm(build.gemma(hidden_size=32)), tmp_path / "wide")
    return [fx("gemma_adapter_clean"), wide]


def scenario_targets(tmp_path, fx):
    folder = build.copy(fx("gemma_adapter_clean"), tmp_path / "a")
    build.edit_json(folder / "adapter_config.json", target_modules=["c_attn"])
    return [folder]


def scenario_frozen(tmp_path, fx):
    return [build.write_yaml(tmp_path / "sft.yaml", model_name_or_path="Qwen/Qwen2-VL-7B-Instruct", stage="sft",
                             finetuning_type="full", freeze_language_model=True)]


def scenario_fp16_gemma(tmp_path, fx):
    return [build.write_yaml(tmp_path / "sft.yaml", model_name_or_path="google/gemma-2-9b", stage="sft", fp16=True)]


def scenario_zero3_8bit(tmp_path, fx):
    (tmp_path / "ds_z3.json").write_text(json.dumps({"zero_optimization": {"stage": 3}}))
    return [build.write_yaml(tmp_path / "sft.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft",
                             quantization_bit=8, deepspeed="ds_z3.json")]


def scenario_adapter_as_model(tmp_path, fx):
    return [build.write_yaml(tmp_path / "sft.yaml", model_name_or_path=str(fx("gemma_adapter")), stage="sft")]


def scenario_unknown_type(tmp_path, fx):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen9_omni"}))
    return [tmp_path / "config.json"]


CASES = [
    (scenario_tail, "checkpoint-missing-keys-incomplete"),
    (scenario_shard, "checkpoint-missing-keys-incomplete"),
    (scenario_lfs, "safetensors-corrupt-or-lfs-pointer"),
    (scenario_prefix, "state-dict-prefix-mismatch"),
    (scenario_vocab, "vocab-size-mismatch"),
    (scenario_wider, "checkpoint-size-mismatch-wrong-architecture"),
    (scenario_zero3, "zero3-partitioned-param-shape-zero"),
    (scenario_tied_head, "peft-lora-on-tied-lm-head"),
    (scenario_adapter_on_wider_base, "checkpoint-size-mismatch-wrong-architecture"),
    (scenario_targets, "peft-target-modules-not-found"),
    (scenario_frozen, "no-trainable-parameters"),
    (scenario_fp16_gemma, "fp16-nan-overflow"),
    (scenario_zero3_8bit, "device-map-in-distributed-training"),
    (scenario_adapter_as_model, "adapter-only-checkpoint-resume"),
    (scenario_unknown_type, "transformers-unknown-architecture"),
]


@pytest.mark.parametrize("make,entry_id", CASES, ids=[c[0].__name__.removeprefix("scenario_") for c in CASES])
def test_top_entry(make, entry_id, engine, tmp_path, request):
    if entry_id not in engine.by_id:
        pytest.skip(f"the corpus has no {entry_id} entry yet")
    findings = inspect_paths(make(tmp_path, request.getfixturevalue))
    report = engine.diagnose(None, findings=findings)
    assert report.verdict == "match", [f.summary for f in findings]
    assert report.best.entry.id == entry_id


@pytest.mark.parametrize("fixture", ["qwen_dir", "qwen_sharded", "gemma_dir", "gemma_adapter_clean"])
def test_healthy_artifacts_are_no_error(fixture, engine, request):
    report = engine.diagnose(None, findings=inspect_paths([request.getfixturevalue(fixture)]))
    assert report.verdict == "no_error"  # "no problems found", exit 0
    assert report.matches == ()

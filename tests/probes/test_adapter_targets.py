from kbfix.introspect import inspect_paths
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

from kbfix.introspect import inspect_paths
from kbfix.artifacts import target
from kbfix.probes import detect, trainable

from . import build

NOTHING = "no-trainable-parameters"


def test_every_part_frozen(tmp_path):
    config = build.write_yaml(tmp_path / "qwen2vl_full_sft.yaml", model_name_or_path="Qwen/Qwen2-VL-7B-Instruct",
                              stage="sft", finetuning_type="full", freeze_vision_tower=True,
                              freeze_multi_modal_projector=True, freeze_language_model=True,
                              deepspeed="examples/deepspeed/ds_z3_config.json", template="qwen2_vl")
    assert detect(config).kind == target.LLAMAFACTORY
    findings = trainable.run(detect(config))
    assert findings[0].kind == "everything-frozen"
    assert findings[0].supports == (NOTHING,)
    assert NOTHING in {e for f in inspect_paths([config]) for e in f.supports}


def test_freeze_tuning_without_layers(tmp_path):
    config = build.write_yaml(tmp_path / "freeze.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft",
                              finetuning_type="freeze", freeze_trainable_layers=0)
    assert trainable.run(detect(config))[0].supports == (NOTHING,)


def test_defaults_leave_the_language_model(tmp_path):
    config = build.write_yaml(tmp_path / "full.yaml", model_name_or_path="Qwen/Qwen2-VL-7B-Instruct", stage="sft",
                              finetuning_type="full")
    findings = trainable.run(detect(config))
    assert findings[0].kind == "something-trainable"
    assert NOTHING in findings[0].refutes
    assert findings[0].facts["freeze_vision_tower"] is True  # LLaMA-Factory's default


def test_yaml_values_are_typed(tmp_path):
    """PyYAML is a dependency of kbfix: comments, booleans and numbers read as YAML means them."""
    from kbfix.artifacts.read import config_file

    file = tmp_path / "sft.yaml"
    file.write_text("stage: sft\nfreeze_language_model: true # all of it\nlearning_rate: 1.0e-5\ncutoff_len: 2048\n")
    assert config_file(file) == {"stage": "sft", "freeze_language_model": True, "learning_rate": 1e-5,
                                 "cutoff_len": 2048}

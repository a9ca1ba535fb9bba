import json

from kbfix.artifacts import target
from kbfix.probes import detect, zero3

from . import build

DEVICE_MAP = "device-map-in-distributed-training"


def ds_config(folder, stage):
    file = folder / f"ds_z{stage}_config.json"
    file.write_text(json.dumps({"train_micro_batch_size_per_gpu": "auto", "zero_optimization": {"stage": stage}}))
    return file


def test_zero3_with_8bit(tmp_path):
    ds = ds_config(tmp_path, 3)
    assert detect(ds).kind == target.DEEPSPEED
    config = build.write_yaml(tmp_path / "qlora.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft",
                              finetuning_type="lora", quantization_bit=8, deepspeed=ds.name)
    findings = zero3.run(detect(config))
    assert findings[0].kind == "zero3-with-8bit"
    assert findings[0].supports == (DEVICE_MAP,)
    assert findings[0].facts["zero_stage"] == 3


def test_zero3_with_4bit_is_qlora(tmp_path):
    config = build.write_yaml(tmp_path / "qlora.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft",
                              finetuning_type="lora", quantization_bit=4, deepspeed=ds_config(tmp_path, 3).name)
    assert DEVICE_MAP in zero3.run(detect(config))[0].refutes


def test_training_args_with_device_map(tmp_path):
    args = tmp_path / "sft_config.json"
    args.write_text(json.dumps({"output_dir": "out", "learning_rate": 1e-4, "deepspeed": "ds_z3_offload.json",
                                "model_init_kwargs": {"device_map": "auto", "torch_dtype": "bfloat16"}}))
    findings = zero3.run(detect(args))
    assert findings[0].kind == "zero3-with-device-map"
    assert "from its name" in findings[0].facts["deepspeed"]


def test_deepspeed_json_passed_beside_the_config(tmp_path):
    from kbfix.introspect import targets

    ds = ds_config(tmp_path, 3)
    config = build.write_yaml(tmp_path / "plain.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft",
                              quantization_bit=8)
    yaml_target = targets([config, ds])[0]
    assert zero3.run(yaml_target)[0].supports == (DEVICE_MAP,)

from kbfix.probes import detect, precision

from . import build

BF16 = "bf16-unsupported"
FP16 = "fp16-nan-overflow"


def test_bf16_on_a_t4():
    found = precision.bf16_on(["bf16"], (7, 5), "train.yaml")
    assert found.supports == (BF16,)
    assert found.facts["compute_capability"] == "7.5"


def test_bf16_on_ampere_and_without_a_gpu():
    assert precision.bf16_on(["bf16", "tf32"], (8, 0), "train.yaml").refutes == (BF16,)
    assert precision.bf16_on(["bf16"], None, "train.yaml") is None


def test_no_finding_without_a_visible_gpu(tmp_path):
    config = build.write_yaml(tmp_path / "bf16.yaml", model_name_or_path="Qwen/Qwen2-7B", stage="sft", bf16=True)
    findings = precision.run(detect(config))
    if precision.gpu_capability() is None:
        assert findings == []
    else:
        assert len(findings) == 1


def test_fp16_with_gemma(tmp_path):
    config = build.write_yaml(tmp_path / "gemma.yaml", model_name_or_path="google/gemma-2-9b", stage="sft",
                              fp16=True)
    findings = precision.run(detect(config))
    assert findings[0].kind == "fp16-with-gemma"
    assert findings[0].supports == (FP16,)
    assert findings[0].facts["model_type"] == "gemma2"


def test_fp16_with_a_local_gemma_folder(gemma_dir, tmp_path):
    config = tmp_path / "args.json"
    config.write_text('{"output_dir": "out", "learning_rate": 2e-5, "fp16": true, '
                      f'"model_name_or_path": "{gemma_dir}"}}')
    findings = precision.run(detect(config))
    assert findings[0].supports == (FP16,)
    assert findings[0].facts["model_type_source"].endswith("config.json")


def test_fp16_with_qwen_is_not_flagged(tmp_path):
    config = build.write_yaml(tmp_path / "qwen.yaml", model_name_or_path="Qwen/Qwen2.5-7B", stage="sft", fp16=True)
    assert not precision.run(detect(config))[0].supports

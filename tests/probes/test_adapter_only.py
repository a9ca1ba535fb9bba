from kbfix.probes import adapter_only, detect

from . import build

ADAPTER_ONLY = "adapter-only-checkpoint-resume"


def test_model_name_points_to_adapter(gemma_adapter, tmp_path):
    config = build.write_yaml(tmp_path / "sft.yaml", model_name_or_path=str(gemma_adapter), stage="sft",
                              finetuning_type="lora", template="gemma")
    findings = adapter_only.run(detect(config))
    assert findings[0].kind == "adapter-folder-as-model"
    assert findings[0].supports == (ADAPTER_ONLY,)


def test_full_finetuning_resumes_from_adapter(gemma_adapter, gemma_dir, tmp_path):
    config = build.write_yaml(tmp_path / "full.yaml", model_name_or_path=str(gemma_dir), stage="sft",
                              finetuning_type="full", resume_from_checkpoint=str(gemma_adapter))
    kinds = {f.kind: f for f in adapter_only.run(detect(config))}
    assert kinds["resume-full-from-adapter"].supports == (ADAPTER_ONLY,)
    assert ADAPTER_ONLY in kinds["points-to-full-checkpoint"].refutes


def test_lora_resumes_from_adapter(gemma_adapter, gemma_dir, tmp_path):
    config = build.write_yaml(tmp_path / "lora.yaml", model_name_or_path=str(gemma_dir), stage="sft",
                              finetuning_type="lora", resume_from_checkpoint=str(gemma_adapter))
    assert all(not f.supports for f in adapter_only.run(detect(config)))

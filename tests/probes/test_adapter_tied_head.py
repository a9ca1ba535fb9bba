from kbfix.introspect import inspect_paths
from kbfix.probes import adapter_tied_head, detect

from . import build
from .conftest import lora

TIED_HEAD = "peft-lora-on-tied-lm-head"


def test_lora_on_lm_head_of_tied_gemma(gemma_adapter):
    findings = adapter_tied_head.run(detect(gemma_adapter))
    assert findings[0].kind == "lora-on-tied-embeddings"
    assert findings[0].supports == (TIED_HEAD,)
    assert findings[0].facts["embedding_targets"] == ["lm_head"]
    assert findings[0].facts["tie_word_embeddings"] is True
    assert "lm_head" in findings[0].facts["embedding_weights"]


def test_with_base_given_beside_it(gemma_adapter, gemma_dir):
    findings = inspect_paths([gemma_adapter, gemma_dir])
    assert {e for f in findings for e in f.supports} == {TIED_HEAD}


def test_linear_targets_only(gemma_adapter_clean):
    findings = inspect_paths([gemma_adapter_clean])
    assert any(TIED_HEAD in f.refutes for f in findings)
    assert not any(f.supports for f in findings)


def test_untied_base_is_not_flagged(qwen_dir, tmp_path):
    folder = lora(qwen_dir, tmp_path / "qwen-lora", ["q_proj", "lm_head"])
    findings = adapter_tied_head.run(detect(folder))
    assert findings[0].kind == "adapter-touches-embeddings"
    assert findings[0].facts["tie_word_embeddings"] is False
    assert TIED_HEAD in findings[0].refutes


def test_gemma_named_base_without_its_files(gemma_adapter, tmp_path):
    folder = build.copy(gemma_adapter, tmp_path / "moved")
    build.edit_json(folder / "adapter_config.json", base_model_name_or_path="google/gemma-2b-not-cached")
    findings = adapter_tied_head.run(detect(folder))
    assert findings[0].supports == (TIED_HEAD,)
    assert "Gemma" in findings[0].facts["tie_source"]

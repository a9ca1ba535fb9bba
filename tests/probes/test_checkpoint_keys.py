"""Real tiny checkpoints, saved by transformers and damaged afterwards, against their configs."""

import json

import pytest

from kbfix.introspect import inspect_paths
from kbfix.probes import checkpoint_keys, detect
from kbfix.artifacts.compare import ADAPTER_ONLY, ARCHITECTURE, HEAD, INCOMPLETE, PREFIX, VOCAB, ZERO3

from . import build


def supported(findings):
    return {entry for f in findings for entry in f.supports}


def kinds(findings):
    return [f.kind for f in findings]


@pytest.mark.parametrize("make", [build.qwen2, build.gemma, build.gemma3_text])
def test_healthy_models_support_nothing(make, tmp_path):
    folder = build.save(build.causal_lm(make()), tmp_path / "model")
    findings = inspect_paths([folder])
    assert supported(findings) == set()
    assert "checkpoint-matches-config" in kinds(findings)
    assert not any(f.error for f in findings)


def test_healthy_chinese_clip(tmp_path):
    from transformers import ChineseCLIPModel

    folder = build.save(ChineseCLIPModel(build.chinese_clip()), tmp_path / "cnclip")
    findings = inspect_paths([folder])
    assert supported(findings) == set()


def test_dropped_tail_layers(qwen_dir, tmp_path):
    folder = build.drop_layers(build.copy(qwen_dir, tmp_path / "cut"), 2, 3)
    findings = inspect_paths([folder])
    layers = next(f for f in findings if f.kind == "layers-missing")
    assert layers.supports == (INCOMPLETE,)
    assert layers.facts["contiguous_tail"] is True
    assert layers.facts["missing_layers"] == {"model.layers": [2, 3]}
    assert supported(findings) == {INCOMPLETE}


def test_module_prefix_in_a_state_dict_file(qwen_dir, tmp_path):
    file = build.with_prefix(qwen_dir, tmp_path / "ddp.safetensors")
    findings = inspect_paths([file, qwen_dir / "config.json"])
    prefix = next(f for f in findings if f.kind == "key-prefix-differs")
    assert prefix.facts["strip"] == "module."
    assert supported(findings) == {PREFIX}


def test_base_model_prefix_is_left_to_transformers(gemma_dir, tmp_path):
    """Keys saved from the bare GemmaModel (no 'model.') load fine through from_pretrained."""
    from transformers import AutoModel

    folder = build.save(AutoModel.from_pretrained(gemma_dir), tmp_path / "bare")
    build.edit_json(folder / "config.json", architectures=["GemmaForCausalLM"])
    assert not any(k.startswith("model.") for k in build.state_dict(folder))
    findings = checkpoint_keys.run(detect(folder))
    assert kinds(findings) == ["checkpoint-matches-config"]


def test_resized_vocabulary(tmp_path):
    folder = build.resized_vocab(tmp_path / "resized")
    findings = inspect_paths([folder])
    vocab = next(f for f in findings if f.kind == "vocab-rows-differ")
    assert (vocab.facts["checkpoint_vocab"], vocab.facts["config_vocab"]) == (80, 64)
    assert supported(findings) == {VOCAB}


def test_classifier_head(tmp_path):
    from transformers import Qwen2ForSequenceClassification

    model = Qwen2ForSequenceClassification(build.qwen2(num_labels=3, pad_token_id=0))
    folder = build.save(model, tmp_path / "cls")
    labels = {str(i): f"L{i}" for i in range(5)}
    build.edit_json(folder / "config.json", id2label=labels, label2id={v: int(k) for k, v in labels.items()})
    findings = inspect_paths([folder])
    head = next(f for f in findings if f.kind == "task-head-differs")
    assert (head.facts["checkpoint_num_labels"], head.facts["config_num_labels"]) == (3, 5)
    assert supported(findings) == {HEAD}


def test_widened_config(tmp_path):
    folder = build.widened_chinese_clip(tmp_path / "cnclip")
    findings = inspect_paths([folder])
    size = next(f for f in findings if f.kind == "checkpoint-other-model-size")
    vision = size.facts["towers"]["vision"]
    assert (vision["checkpoint_width"], vision["config_width"]) == (16, 32)
    assert "text" not in size.facts["towers"]
    assert supported(findings) == {ARCHITECTURE}


def test_chinese_clip_large_checkpoint_with_base_config(tmp_path):
    """Header-only ViT-L/14 weights against a ViT-B/16 config: says which sizes they are."""
    from transformers import ChineseCLIPConfig

    text = dict(vocab_size=21128, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                num_attention_heads=12)
    large = ChineseCLIPConfig(text_config=text, vision_config=dict(
        hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16, patch_size=14),
        projection_dim=768)
    base = ChineseCLIPConfig(text_config=text, vision_config=dict(
        hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, patch_size=16),
        projection_dim=512)
    folder = tmp_path / "vit-l-weights"
    folder.mkdir()
    build.header_only(folder / "model.safetensors", build.meta_shapes(large), "F16")
    base.save_pretrained(folder)
    findings = inspect_paths([folder])
    size = next(f for f in findings if f.kind == "checkpoint-other-model-size")
    vision = size.facts["towers"]["vision"]
    assert vision["checkpoint"] == "Chinese-CLIP ViT-L/14 (1024 wide, patch 14)"
    assert vision["config"] == "Chinese-CLIP ViT-B/16 (768 wide, patch 16)"
    deeper = next(f for f in findings if f.kind == "checkpoint-deeper-than-config")
    assert deeper.facts["layers"]["vision_model.encoder.layers"] == {"checkpoint_layers": 24, "config_layers": 12}
    assert supported(findings) == {ARCHITECTURE}


def test_roberta_large_weights_for_a_base_config(tmp_path):
    from transformers import RobertaConfig

    large = RobertaConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)
    folder = tmp_path / "roberta"
    folder.mkdir()
    build.header_only(folder / "model.safetensors", build.meta_shapes(large), "F16")
    RobertaConfig(architectures=["RobertaModel"]).save_pretrained(folder)
    size = next(f for f in inspect_paths([folder]) if f.kind == "checkpoint-other-model-size")
    assert size.facts["towers"]["model"]["checkpoint"] == "RoBERTa large (1024 wide)"
    assert size.facts["towers"]["model"]["config"] == "RoBERTa base (768 wide)"


def test_zero3_partitioned_save(qwen_dir, tmp_path):
    folder = build.zero3_partitions(build.copy(qwen_dir, tmp_path / "zero3"))
    findings = inspect_paths([folder])
    zero = next(f for f in findings if f.kind == "zero3-empty-shapes")
    assert zero.facts["empty"] == len(build.state_dict(qwen_dir))
    assert supported(findings) == {ZERO3}


def test_adapter_weights_loaded_as_full_model(gemma_adapter, gemma_dir, tmp_path):
    file = tmp_path / "pytorch_model.safetensors"
    file.write_bytes((gemma_adapter / "adapter_model.safetensors").read_bytes())
    findings = inspect_paths([file, gemma_dir])
    assert "adapter-weights-as-full-checkpoint" in kinds(findings)
    assert ADAPTER_ONLY in supported(findings)


def test_torch_bin_checkpoint(qwen_dir, tmp_path):
    import torch

    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "config.json").write_text((qwen_dir / "config.json").read_text())
    tensors = build.state_dict(qwen_dir)
    torch.save({k: v for k, v in tensors.items() if not k.startswith("model.layers.3.")}, folder / "pytorch_model.bin")
    findings = inspect_paths([folder])
    assert supported(findings) == {INCOMPLETE}
    assert json.loads(json.dumps(next(f for f in findings if f.kind == "layers-missing").facts["missing_layers"]))

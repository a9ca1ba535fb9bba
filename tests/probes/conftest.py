"""Shared tiny artifacts, built once per test session (each under a few kilobytes)."""

from __future__ import annotations

import pytest

from . import build


@pytest.fixture(scope="session")
def qwen_dir(tmp_path_factory):
    return build.save(build.causal_lm(build.qwen2()), tmp_path_factory.mktemp("qwen2"))


@pytest.fixture(scope="session")
def qwen_sharded(tmp_path_factory):
    return build.save(build.causal_lm(build.qwen2()), tmp_path_factory.mktemp("qwen2-sharded"),
                      max_shard_size="20KB")


@pytest.fixture(scope="session")
def gemma_dir(tmp_path_factory):
    return build.save(build.causal_lm(build.gemma()), tmp_path_factory.mktemp("gemma"))


@pytest.fixture(scope="session")
def gemma_adapter(tmp_path_factory, gemma_dir):
    """A real PEFT LoRA adapter on the tied tiny Gemma, targeting lm_head (and q/v)."""
    return lora(gemma_dir, tmp_path_factory.mktemp("gemma-lora-head"), ["q_proj", "v_proj", "lm_head"])


@pytest.fixture(scope="session")
def gemma_adapter_clean(tmp_path_factory, gemma_dir):
    return lora(gemma_dir, tmp_path_factory.mktemp("gemma-lora"), ["q_proj", "v_proj"])


def lora(base_dir, folder, targets):
    import warnings

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=targets))
        peft_model.save_pretrained(folder)
    build.edit_json(folder / "adapter_config.json", base_model_name_or_path=str(base_dir))
    return folder

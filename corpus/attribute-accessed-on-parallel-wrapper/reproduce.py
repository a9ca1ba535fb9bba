"""Wrap a tiny transformers model in torch.nn.DataParallel (on CPU it only forwards) and ask the wrapper for the
model's config, as evaluation / generation code written for one GPU does; then ask the wrapped model instead."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _wrapped():
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, pad_token_id=0)
    model = Qwen2ForCausalLM(config)
    return torch.nn.DataParallel(model)   # what Trainer / a multi-GPU script does before training


def reproduce():
    model = _wrapped()
    return model.config.pad_token_id     # the wrapper has no config


def fixed():
    import torch

    model = _wrapped()
    base = model.module if hasattr(model, "module") else model   # fix 0: ask the wrapped model
    assert base.config.pad_token_id == 0
    out = model(input_ids=torch.tensor([[1, 2, 3]]))              # the forward pass still goes through the wrapper
    assert out.logits.shape == (1, 3, 64)

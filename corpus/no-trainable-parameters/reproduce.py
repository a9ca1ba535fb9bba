"""Freeze every parameter of a tiny Qwen2 model and build a real AdamW over what is trainable."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _tiny_model():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    return Qwen2ForCausalLM(config)


def _optimizer(model):
    import torch

    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)


def reproduce():
    model = _tiny_model()
    model.requires_grad_(False)  # freeze_vision_tower + projector + language_model: everything
    _optimizer(model)


def fixed():
    model = _tiny_model()
    model.requires_grad_(False)
    model.model.layers.requires_grad_(True)  # leave the language model trainable
    optimizer = _optimizer(model)
    assert sum(p.numel() for group in optimizer.param_groups for p in group["params"]) > 0

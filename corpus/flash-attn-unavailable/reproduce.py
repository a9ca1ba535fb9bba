"""Request FlashAttention-2 for a tiny Llama where the flash_attn package is not installed.

transformers checks the package (and the device) when the model is built, so ``from_config`` with
``attn_implementation="flash_attention_2"`` raises the same ImportError as ``from_pretrained``.
"""

REQUIRES = ("torch", "transformers")
FIXES = (1,)


def _build(attn_implementation):
    from transformers import AutoModelForCausalLM, LlamaConfig

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    return AutoModelForCausalLM.from_config(config, attn_implementation=attn_implementation)


def reproduce():
    _build("flash_attention_2")


def fixed():
    import torch

    model = _build("sdpa")  # fix 1: PyTorch's fused attention, no extra package
    assert model.config._attn_implementation == "sdpa"
    out = model(torch.tensor([[1, 2, 3, 4]]), labels=torch.tensor([[1, 2, 3, 4]]))
    assert torch.isfinite(out.loss)

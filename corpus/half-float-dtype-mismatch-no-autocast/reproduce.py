"""A tiny float16 backbone with a value head added afterwards in float32, run without autocast.

The head's matmul gets float16 hidden states and float32 weights: ``expected m1 and m2 to have the
same dtype, but got: c10::Half != float`` (older PyTorch: ``expected scalar type Half but found
Float``). Autocast (fix 0) or casting the head to the model's dtype (fix 1) makes it run.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _parts():
    import torch
    from transformers import Qwen2Config, Qwen2Model

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    backbone = Qwen2Model(config).half()      # the base model in fp16
    value_head = torch.nn.Linear(16, 1)       # added later: float32
    return backbone, value_head, torch.tensor([[1, 2, 3, 4]])


def reproduce():
    backbone, value_head, ids = _parts()
    hidden = backbone(input_ids=ids).last_hidden_state
    value_head(hidden)


def fixed():
    import torch

    backbone, value_head, ids = _parts()
    # fix 0: let autocast pick one dtype per operation
    with torch.autocast("cpu", dtype=torch.float16):
        value = value_head(backbone(input_ids=ids).last_hidden_state)
    assert value.dtype == torch.float16
    # fix 1: give the added module the model's dtype
    value_head = value_head.to(backbone.dtype)
    value = value_head(backbone(input_ids=ids).last_hidden_state)
    assert value.dtype == torch.float16

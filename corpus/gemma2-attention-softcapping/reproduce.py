"""Build a tiny Gemma 2 with SDPA attention, which cannot apply Gemma 2's attention-logit soft-capping.

transformers >= 5 refuses outright (``Gemma2ForCausalLM does not support an attention implementation
through torch.nn.functional.scaled_dot_product_attention yet``). transformers 4.42-4.5x accepted it
and only logged ``It is strongly recommended to train Gemma2 models with the `eager` attention
implementation instead of `sdpa``` on the first training forward; this reproducer returns that log
text there.
"""

import io
import logging

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _config():
    from transformers import Gemma2Config

    return Gemma2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                        num_attention_heads=2, num_key_value_heads=1, head_dim=8, sliding_window=8,
                        pad_token_id=0, bos_token_id=1, eos_token_id=2)


def _train_forward(attn_implementation):
    import torch
    from transformers import AutoModelForCausalLM

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    try:
        model = AutoModelForCausalLM.from_config(_config(), attn_implementation=attn_implementation)
        model.train()
        ids = torch.tensor([[1, 5, 6, 7, 8, 9]])
        loss = model(input_ids=ids, labels=ids).loss
    finally:
        logger.removeHandler(handler)
    return model, loss, stream.getvalue()


def reproduce():
    _, _, log = _train_forward("sdpa")  # raises on transformers >= 5
    return log


def fixed():
    import torch

    model, loss, log = _train_forward("eager")  # fix 0
    assert model.config._attn_implementation == "eager"
    assert torch.isfinite(loss)
    assert "strongly recommended" not in log

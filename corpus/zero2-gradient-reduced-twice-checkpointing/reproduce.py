"""ZeRO-2 on the real deepspeed.initialize (CPU, gloo, one rank) with a tiny Qwen2 built from a config:
gradient checkpointing is reentrant (use_reentrant=True) and the loss sums two forward passes (chosen and
rejected, as a hand-written DPO/ORPO loop does), so every parameter takes part in two checkpointed segments and
its gradient hook fires twice.
fixed() applies fix 0 (use_reentrant=False) and, separately, fix 1 (one forward over the concatenated pair).
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "transformers", "deepspeed")
FIXES = (0, 1)

CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "zero_optimization": {"stage": 2},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


def _step(use_reentrant, concatenate):
    """One training step as rank 0 of 1; the process group and environment are restored afterwards."""
    import deepspeed
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    with deepspeed_rank():
        torch.manual_seed(0)
        model = Qwen2ForCausalLM(Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32,
                                             num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1))
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": use_reentrant})
        model.train()
        engine, *_ = deepspeed.initialize(model=model, config=CONFIG, model_parameters=model.parameters())
        chosen, rejected = torch.tensor([[1, 2, 3, 4]]), torch.tensor([[5, 6, 7, 8]])
        if concatenate:
            pair = torch.cat([chosen, rejected])
            loss = engine(input_ids=pair, labels=pair).loss
        else:
            loss = engine(input_ids=chosen, labels=chosen).loss + engine(input_ids=rejected, labels=rejected).loss
        engine.backward(loss)
        engine.step()
        return float(loss)


def reproduce():
    _step(use_reentrant=True, concatenate=False)


def fixed():
    import math

    assert math.isfinite(_step(use_reentrant=False, concatenate=False))  # fix 0
    assert math.isfinite(_step(use_reentrant=True, concatenate=True))    # fix 1

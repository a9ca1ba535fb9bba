"""A partly frozen model under ZeRO-2 on the real deepspeed.initialize (CPU, gloo, one rank): the first Linear is
frozen, the rest trains, and the client AdamW gets two parameter groups built by module (the frozen Linear's weight and
bias in a "no weight decay" group, the rest in the other) without a ``requires_grad`` filter. The engine drops only
groups whose ``params`` list is empty; ZeRO-1/2 then keeps each group's trainable parameters, so the frozen-only group
becomes an empty list and DeepSpeed 0.18.7+ fails at ``param_dtype = self.bit16_groups[i][0].dtype`` with
``IndexError: list index out of range`` (older releases: ``torch.cat(): expected a non-empty list of Tensors`` in
``flatten_dense_tensors_aligned``). The log printed before it shows a nonzero trainable count, as PEFT and
LLaMA-Factory print it.

fixed() applies fix 0: the same groups built from trainable parameters only, empty groups left out; two steps run and
the weights change.
"""

from kbfix.reproduce import deepspeed_rank, deepspeed_regression_steps

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

_CONFIG = {"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 2}, "zero_allow_untested_optimizer": True}


def _model():
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.LayerNorm(8), torch.nn.Linear(8, 2))
    model[0].requires_grad_(False)  # freeze the first block, train the rest
    return model


def _count(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return f"trainable params: {trainable:,} || all params: {total:,} || trainable%: {100 * trainable / total:.4f}\n"


def _groups(model, only_trainable):
    groups = [
        {"params": list(model[0].parameters()), "weight_decay": 0.0},
        {"params": list(model[1].parameters()) + list(model[2].parameters()), "weight_decay": 0.01},
    ]
    if only_trainable:  # fix 0
        groups = [{**g, "params": [p for p in g["params"] if p.requires_grad]} for g in groups]
        groups = [g for g in groups if g["params"]]
    return groups


def _train(only_trainable):
    import deepspeed
    import torch

    model = _model()
    log = _count(model)
    with deepspeed_rank():
        optimizer = torch.optim.AdamW(_groups(model, only_trainable), lr=1e-2)
        engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer, config=_CONFIG)
        changed = deepspeed_regression_steps(engine, 2)
    return log, engine.global_steps, changed


def reproduce():
    import traceback

    model = _model()
    log = _count(model)
    try:
        _train(only_trainable=False)
    except IndexError:
        return log + traceback.format_exc()  # the count printed before training, then the traceback
    raise AssertionError("deepspeed.initialize accepted a frozen-only parameter group")


def fixed():
    log, steps, changed = _train(only_trainable=True)
    assert steps == 2 and changed, (steps, changed)
    return log + f"ZeRO-2, groups built from trainable params only: {steps} steps, weights updated\n"

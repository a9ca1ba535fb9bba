"""A LoRA-like model (weights only: no bias, no norm) on the real deepspeed.initialize (CPU, gloo, one rank, no ZeRO).
The client AdamW gets the usual two groups, "decay" and "no weight decay" by name (bias / norm), so the second group
is an empty list, and the LR scheduler is built from that optimizer before ``deepspeed.initialize``: it records two
base learning rates. The engine removes param groups whose ``params`` list is empty from the client optimizer in
place, so the optimizer has one group left; on torch >= 2.10 the first ``scheduler.step()`` fails in
``LRScheduler._update_lr`` at ``zip(self.optimizer.param_groups, values, strict=True)`` with
``ValueError: zip() argument 2 is longer than argument 1``.

fixed() applies fix 0: the empty group is left out when the groups are built; two steps run and the weights change.
"""

from kbfix.reproduce import deepspeed_rank, deepspeed_regression_steps

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

_CONFIG = {"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 0}}
_NO_DECAY = ("bias", "norm.weight")


def _model():
    import torch

    torch.manual_seed(0)
    # adapter-like layers: weights only, so no parameter name matches the no-decay patterns
    return torch.nn.Sequential(torch.nn.Linear(8, 8, bias=False), torch.nn.Linear(8, 2, bias=False))


def _groups(model, drop_empty):
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in named if not any(k in n for k in _NO_DECAY)], "weight_decay": 0.01},
        {"params": [p for n, p in named if any(k in n for k in _NO_DECAY)], "weight_decay": 0.0},
    ]
    if drop_empty:  # fix 0
        groups = [g for g in groups if g["params"]]
    return groups


def _train(drop_empty):
    import deepspeed
    import torch

    model = _model()
    with deepspeed_rank():
        optimizer = torch.optim.AdamW(_groups(model, drop_empty), lr=1e-2)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (step + 1))
        engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer, config=_CONFIG)
        changed = deepspeed_regression_steps(engine, 2, scheduler)
    return engine.global_steps, changed


def _captured_deepspeed_log():
    import io
    import logging

    from deepspeed.utils import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s] [%(filename)s:%(lineno)d:%(funcName)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # log_dist writes the group removal at INFO
    return stream, handler, logger


def reproduce():
    import traceback

    stream, handler, logger = _captured_deepspeed_log()
    try:
        _train(drop_empty=False)
    except ValueError:
        removed = [line for line in stream.getvalue().splitlines() if "Removing param_group" in line]
        return "".join(line + "\n" for line in removed) + traceback.format_exc()  # the engine's log, then the traceback
    finally:
        logger.removeHandler(handler)
    raise AssertionError("the scheduler stepped after DeepSpeed removed the empty parameter group")


def fixed():
    steps, changed = _train(drop_empty=True)
    assert steps == 2 and changed, (steps, changed)
    return f"empty no-decay group left out before the scheduler was built: {steps} steps, weights updated\n"

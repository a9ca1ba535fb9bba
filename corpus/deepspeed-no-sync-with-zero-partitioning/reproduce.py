"""ZeRO stage 2 on the real deepspeed.initialize (CPU, gloo, one rank) with a tiny torch model: a training loop
written for DDP-style gradient accumulation wraps the micro-steps before the boundary in ``engine.no_sync()``
(what accelerate < 1.9 ``accumulate()`` / ``no_sync(model)`` and the transformers 4.46.x-4.47.0 Trainer do with the
engine). DeepSpeed >= 0.16 owns ``no_sync`` and asserts: ``no_sync context manager is incompatible with gradient
partitioning logic of ZeRO stage 2``.

fixed() applies fix 1: the same accumulation left to DeepSpeed (``gradient_accumulation_steps`` in its config,
``engine.backward`` + ``engine.step`` every micro-step, no ``no_sync``): the engine steps the optimizer once per
boundary and the weights change. Where the installed DeepSpeed has it (>= 0.19.2), it also applies fix 3: the
micro-batches of one step inside ``engine.coalesce_grad_reduction()``, the ZeRO-aware form of ``no_sync``.
The accelerate / Trainer path (fix 0) needs two or more processes on accelerators: accelerate runs DeepSpeed as a
single process on a CPU, where it never calls ``no_sync``.
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (1, 3)

ACCUMULATION = 4


def _config(accumulation):
    return {
        "train_micro_batch_size_per_gpu": 2,
        "gradient_accumulation_steps": accumulation,
        "zero_optimization": {"stage": 2},
        "optimizer": {"type": "AdamW", "params": {"lr": 1e-2, "torch_adam": True}},
    }


def _train(use_no_sync=False, coalesce=False):
    """Eight micro-batches as rank 0 of 1; the process group and environment are restored afterwards."""
    import deepspeed
    import torch

    with deepspeed_rank():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
        # fix 3 owns the boundary itself: one coalesced block per optimizer step, DeepSpeed accumulation 1
        engine, *_ = deepspeed.initialize(model=model, config=_config(1 if coalesce else ACCUMULATION),
                                          model_parameters=model.parameters())
        before = [p.detach().clone() for p in engine.module.parameters()]
        losses = []
        if coalesce:
            for _ in range(2):
                with engine.coalesce_grad_reduction():     # one gradient reduction for the whole block
                    for _ in range(ACCUMULATION):
                        x, y = torch.randn(2, 8), torch.randn(2, 1)
                        loss = torch.nn.functional.mse_loss(engine(x), y) / ACCUMULATION
                        engine.backward(loss)
                        losses.append(loss.item())
                engine.step()
            changed = any(not torch.equal(a, b) for a, b in zip(before, engine.module.parameters()))
            return engine.global_steps, changed, losses
        for micro_step in range(2 * ACCUMULATION):
            x, y = torch.randn(2, 8), torch.randn(2, 1)
            boundary = (micro_step + 1) % ACCUMULATION == 0
            if use_no_sync and not boundary:
                # the DDP recipe: skip the gradient all-reduce until the last micro-batch
                with engine.no_sync():
                    loss = torch.nn.functional.mse_loss(engine(x), y)
                    engine.backward(loss)
                continue
            loss = torch.nn.functional.mse_loss(engine(x), y)
            engine.backward(loss)
            engine.step()              # DeepSpeed steps the optimizer only at its accumulation boundary
            losses.append(loss.item())
        changed = any(not torch.equal(a, b) for a, b in zip(before, engine.module.parameters()))
        return engine.global_steps, changed, losses


def reproduce():
    _train(use_no_sync=True)


def fixed():
    import math

    import deepspeed

    steps, changed, losses = _train()                        # fix 1
    assert steps == 2 and changed and all(math.isfinite(v) for v in losses), (steps, changed, losses)
    text = f"ZeRO-2, gradient_accumulation_steps={ACCUMULATION}: {steps} optimizer steps, weights updated\n"
    if hasattr(deepspeed.DeepSpeedEngine, "coalesce_grad_reduction"):   # DeepSpeed >= 0.19.2
        steps, changed, losses = _train(coalesce=True)       # fix 3
        assert steps == 2 and changed and all(math.isfinite(v) for v in losses), (steps, changed, losses)
        text += f"ZeRO-2, coalesce_grad_reduction over {ACCUMULATION} backward passes: {steps} optimizer steps\n"
    return text

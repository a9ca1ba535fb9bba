"""ZeRO stage 2 on the real deepspeed.initialize (CPU, gloo, one rank) with a tiny torch model, trained the plain
PyTorch way: ``loss.backward()`` on the engine's output instead of ``engine.backward(loss)``. DeepSpeed up to 0.16.4
creates the gradient bucket (``ipg_buffer`` / ``ipg_index``) only in ``engine.backward`` (the optimizer's
backward prologue), so the ZeRO gradient hook that fires during a bare autograd backward fails with
``AttributeError: 'DeepSpeedZeroOptimizer' object has no attribute 'ipg_index'``.

fixed() applies fix 0: the same loop with ``engine.backward(loss)`` and ``engine.step()``; the weights change.
From DeepSpeed 0.16.5 the hook sets the bucket up itself, so this reproducer is skipped there.
"""

from kbfix.reproduce import deepspeed_rank, release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("deepspeed==0.16.4",)
# this module is never installed: it stands for "a DeepSpeed release whose hook needs engine.backward (< 0.16.5)"
REQUIRES = ("torch", "deepspeed") + (
    () if release_within("deepspeed", (0, 3, 0), (0, 16, 5)) else ("kbfix_requires_deepspeed_before_0_16_5",))
FIXES = (0,)

CONFIG = {
    "train_micro_batch_size_per_gpu": 2,
    "zero_optimization": {"stage": 2},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-2, "torch_adam": True}},
}


def _forget_groups():
    """DeepSpeed < 0.17 keeps a clone of the world group across process groups: a second engine in this process
    would broadcast over the destroyed one."""
    from deepspeed.utils import groups

    if hasattr(groups, "_WORLD_GROUP"):
        groups._WORLD_GROUP = None


def _train(through_engine):
    """Two steps as rank 0 of 1; whether the weights changed. The process group is restored afterwards."""
    import deepspeed
    import torch

    _forget_groups()
    with deepspeed_rank():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
        engine, *_ = deepspeed.initialize(model=model, config=CONFIG, model_parameters=model.parameters())
        before = [p.detach().clone() for p in engine.module.parameters()]
        for _ in range(2):
            loss = torch.nn.functional.mse_loss(engine(torch.randn(2, 8)), torch.randn(2, 1))
            if through_engine:
                engine.backward(loss)
            else:
                loss.backward()          # the plain PyTorch call: ZeRO's gradient bucket was never set up
            engine.step()
        return any(not torch.equal(a, b) for a, b in zip(before, engine.module.parameters()))


def reproduce():
    _train(through_engine=False)


def fixed():
    assert _train(through_engine=True), "the weights did not change"

"""ZeRO stage 2 with ``offload_optimizer`` to the CPU on the real deepspeed.initialize (CPU, gloo, one rank), given a
plain ``torch.optim.AdamW`` built by the caller (what the HF Trainer, accelerate and Lightning do when the DeepSpeed
config has no ``"optimizer"`` section). DeepSpeed >= 0.8.3 refuses it in ``_configure_optimizer``:
``ZeRORuntimeException: You are using ZeRO-Offload with a client provided optimizer (<class 'torch.optim.adamw.AdamW'>)``.

fixed() applies fix 1: the same engine with ``"zero_force_ds_cpu_optimizer": false`` in the DeepSpeed config runs a
training step and the weights change. Fix 0 (an ``"optimizer"`` section, so DeepSpeed builds DeepSpeedCPUAdam) needs
the cpu_adam C++ extension, compiled on first use (about 7 minutes on two CPU cores): too slow for this reproducer.
It was checked once by hand with deepspeed 0.19.8 on the CPU: the same engine with ``"optimizer": {"type": "AdamW"}``
and no client optimizer ran two steps with DeepSpeedCPUAdam as its basic optimizer.
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (1,)


def _config(**extra):
    config = {
        "train_micro_batch_size_per_gpu": 2,
        "zero_optimization": {"stage": 2, "offload_optimizer": {"device": "cpu"}},
    }
    config.update(extra)
    return config


def _train(config):
    """Two steps as rank 0 of 1 with a client torch AdamW; the process group and environment are restored."""
    import deepspeed
    import torch

    with deepspeed_rank():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer, config=config)
        before = [p.detach().clone() for p in engine.module.parameters()]
        for _ in range(2):
            x, y = torch.randn(2, 8), torch.randn(2, 1)
            loss = torch.nn.functional.mse_loss(engine(x), y)
            engine.backward(loss)
            engine.step()
        changed = any(not torch.equal(a, b) for a, b in zip(before, engine.module.parameters()))
        return engine.global_steps, changed


def reproduce():
    _train(_config())


def fixed():
    steps, changed = _train(_config(zero_force_ds_cpu_optimizer=False))      # fix 1
    assert steps == 2 and changed, (steps, changed)
    return f"ZeRO-2 + offload_optimizer cpu, client torch AdamW, zero_force_ds_cpu_optimizer false: {steps} steps, weights updated\n"

"""A model handed to the real deepspeed.initialize (CPU, gloo, one rank) without an optimizer, under a ZeRO config
written for training: the way a DPO reference model, an evaluation script or a model prepared on its own reaches
DeepSpeed. ZeRO-1/2 partition optimizer state, so DeepSpeed refuses at once:
``AssertionError: zero stage 2 requires an optimizer`` (deepspeed/runtime/engine.py ``_configure_zero_optimizer``).
Under ZeRO-3 the engine is built with a parameter-offload-only ``DeepSpeedZeRoOffload`` in place of an optimizer,
and the first ``engine.backward(loss)`` fails (``'DeepSpeedZeRoOffload' object has no attribute 'backward'`` in
older releases, ``... 'set_gradient_accumulation_boundary'`` in 0.19).

fixed() applies fix 0 (the model that is trained gets its optimizer in the same initialize call, ZeRO-2 and ZeRO-3:
the weights change) and fix 1 (the frozen model that is only run forward gets a ZeRO stage 0 config).
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (0, 1)


def _config(stage, optimizer=False):
    config = {"train_micro_batch_size_per_gpu": 2, "zero_optimization": {"stage": stage}}
    if optimizer:
        config["optimizer"] = {"type": "AdamW", "params": {"lr": 1e-2, "torch_adam": True}}
    return config


def _model():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))


def reproduce():
    import deepspeed

    with deepspeed_rank():
        # e.g. the reference model of a DPO run, prepared alone with the training's ZeRO-2 config
        deepspeed.initialize(model=_model(), config=_config(2))


def _train_step(stage):
    import deepspeed
    import torch

    with deepspeed_rank():
        model = _model()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer, config=_config(stage))
        before = [p.detach().clone() for p in engine.module.parameters()]
        loss = torch.nn.functional.mse_loss(engine(torch.randn(2, 8)), torch.randn(2, 1))
        engine.backward(loss)
        engine.step()
        if stage == 3:
            return engine.global_steps
        changed = any(not torch.equal(a, b) for a, b in zip(before, engine.module.parameters()))
        assert changed
        return engine.global_steps


def fixed():
    import deepspeed
    import torch

    shown = []
    for stage in (2, 3):                                     # fix 0
        steps = _train_step(stage)
        assert steps == 1, steps
        shown.append(f"fix 0: ZeRO-{stage} with the optimizer passed to initialize: {steps} optimizer step")
    with deepspeed_rank():                                   # fix 1
        engine, *_ = deepspeed.initialize(model=_model(), config=_config(0))
        engine.eval()
        with torch.no_grad():
            out = engine(torch.randn(2, 8))
        assert out.shape == (2, 1), out.shape
        shown.append("fix 1: frozen model under a ZeRO stage 0 config: forward works")
    return "\n".join(shown)

"""accelerate >= 1.7: Accelerator.unwrap_model(optimizer) reads `_modules` in has_compiled_regions.

A tiny model and AdamW go through accelerator.prepare (CPU), then the checkpoint dictionary is built the way F5-TTS's
trainer (<= 1.1.6) and UNO's train.py build it: accelerator.unwrap_model(optimizer).state_dict(). fixed() (fix 0) takes
the state from the prepared optimizer itself, as F5-TTS 1.1.7 does, and checks that it is the inner optimizer's.
"""

REQUIRES = ("torch", "accelerate")
FIXES = (0,)


def _prepared():
    import torch
    from accelerate import Accelerator

    accelerator = Accelerator(cpu=True)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model, optimizer = accelerator.prepare(model, optimizer)
    loss = model(torch.randn(4, 8)).pow(2).mean()
    accelerator.backward(loss)
    optimizer.step()
    optimizer.zero_grad()
    return accelerator, model, optimizer


def reproduce():
    accelerator, model, optimizer = _prepared()
    return dict(
        model_state_dict=accelerator.unwrap_model(model).state_dict(),
        optimizer_state_dict=accelerator.unwrap_model(optimizer).state_dict(),
    )


def fixed():
    accelerator, model, optimizer = _prepared()
    checkpoint = dict(
        model_state_dict=accelerator.unwrap_model(model).state_dict(),
        optimizer_state_dict=optimizer.state_dict(),
    )
    assert checkpoint["optimizer_state_dict"] == optimizer.optimizer.state_dict()
    assert checkpoint["optimizer_state_dict"]["state"], "the optimizer took a step, so its state is not empty"

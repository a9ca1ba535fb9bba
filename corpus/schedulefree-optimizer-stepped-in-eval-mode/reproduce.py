"""A schedule-free AdamW stepped straight after construction (eval mode), then with optimizer.train() first.

schedulefree is not in the test environment: ``scripts/verify.py --overlays`` installs OVERLAY (pure Python, needs only
torch and typing_extensions) into a folder put in front of PYTHONPATH; without it the entry is skipped.
"""

OVERLAY = ("schedulefree==1.4.1",)
REQUIRES = ("torch", "schedulefree")
FIXES = (0,)


def _setup():
    import torch
    import schedulefree

    torch.manual_seed(0)
    model = torch.nn.Linear(8, 2)
    optimizer = schedulefree.AdamWScheduleFree(model.parameters(), lr=1e-2)
    return torch, model, optimizer


def _train_step(torch, model, optimizer):
    loss = model(torch.randn(4, 8)).pow(2).mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return float(loss)


def reproduce():
    torch, model, optimizer = _setup()
    model.train()  # the loop an ordinary optimizer needs: no optimizer.train()
    _train_step(torch, model, optimizer)


def fixed():
    torch, model, optimizer = _setup()
    model.train()
    optimizer.train()  # fix 0: train mode before stepping
    losses = [_train_step(torch, model, optimizer) for _ in range(3)]
    model.eval()
    optimizer.eval()  # the averaged weights for evaluation / saving
    state = optimizer.state_dict()
    # resuming: the state was saved in eval mode, so train() again after loading it
    optimizer.load_state_dict(state)
    model.train()
    optimizer.train()
    losses.append(_train_step(torch, model, optimizer))
    return "schedule-free steps ran, losses " + ", ".join(f"{x:.4f}" for x in losses)

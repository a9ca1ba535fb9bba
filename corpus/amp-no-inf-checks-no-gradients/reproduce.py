"""fp16-style training step with the real torch.amp.GradScaler on the CPU (torch >= 2.3 accepts
GradScaler("cpu")): the loss is rebuilt as a fresh leaf tensor (`torch.tensor(values, requires_grad=True)`,
as a custom loss that converts a list does), so backward() never reaches the model and
`scaler.step(optimizer)` raises "AssertionError: No inf checks were recorded for this optimizer."
fixed() keeps the loss in the graph and builds the optimizer over the trainable parameters (fix 1),
and steps only optimizers that got gradients when a second sub-network is unused (fix 2).
"""

REQUIRES = ("torch",)
FIXES = (1, 2)


def _scaler():
    import torch

    try:
        return torch.amp.GradScaler("cpu", init_scale=2.0**8)
    except (AttributeError, TypeError, RuntimeError) as exc:   # torch < 2.3: GradScaler is CUDA-only
        raise ImportError(f"this torch has no CPU GradScaler: {exc}")


def _setup():
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    x, y = torch.randn(32, 8), torch.randn(32, 1)
    return torch, model, x, y


def reproduce():
    torch, model, x, y = _setup()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = _scaler()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        per_sample = ((model(x).float() - y) ** 2).squeeze(1)
    values = [v.item() for v in per_sample]                       # leaves the graph
    loss = torch.tensor(values, requires_grad=True).mean()        # a fresh leaf: no path to the model
    scaler.scale(loss).backward()
    scaler.step(optimizer)                                        # AssertionError: No inf checks ...
    scaler.update()


def fixed():
    torch, model, x, y = _setup()
    # fix 1: optimizer over the trainable parameters, loss kept in the graph
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    scaler = _scaler()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        per_sample = ((model(x).float() - y) ** 2).squeeze(1)
    loss = per_sample.mean()
    scaler.scale(loss).backward()
    assert any(p.grad is not None for g in optimizer.param_groups for p in g["params"])
    scaler.step(optimizer)
    scaler.update()

    # fix 2: a second sub-network with its own optimizer, unused in this iteration's loss
    unused = torch.nn.Linear(8, 1)
    optimizers = [torch.optim.AdamW(model.parameters(), lr=1e-3), torch.optim.AdamW(unused.parameters(), lr=1e-3)]
    for opt in optimizers:
        opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    scaler.scale(loss).backward()
    stepped = 0
    for opt in optimizers:
        if any(p.grad is not None for g in opt.param_groups for p in g["params"]):
            scaler.step(opt)
            stepped += 1
    scaler.update()
    assert stepped == 1
    return f"loss {loss.item():.4f}; stepped {stepped} of {len(optimizers)} optimizers"

"""A small model trained under torch.compile(fullgraph=True, dynamic=False) on batches whose sequence length
changes every step: each new length fails the shape guard and Dynamo recompiles, until the recompile limit (8) is
reached and fullgraph=True turns the limit into FailOnRecompileLimitHit. fixed() compiles with dynamic=True: one
graph with a symbolic sequence length serves every batch.

The "eager" backend keeps the run free of a C++ / Triton toolchain: the recompile limit is Dynamo's, whatever the
backend."""

REQUIRES = ("torch",)
FIXES = (0,)


def _train(dynamic):
    import torch

    torch._dynamo.reset()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Embedding(64, 16), torch.nn.Linear(16, 64))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    compiled = torch.compile(model, backend="eager", fullgraph=True, dynamic=dynamic)
    for length in range(4, 16):  # a new sequence length every step, as with unpadded batches
        ids = torch.randint(0, 64, (2, length))
        logits = compiled(ids)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 64), ids.reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return f"trained 12 steps with sequence lengths 4..15, loss {loss.detach().item():.3f}"


def reproduce():
    _train(dynamic=False)


def fixed():
    return _train(dynamic=True)

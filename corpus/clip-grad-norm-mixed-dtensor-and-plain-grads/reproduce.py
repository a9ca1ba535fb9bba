"""One Linear of a tiny model is made tensor-parallel (its parameters become DTensors), the other stays plain;
clip_grad_norm_ then runs one foreach norm over both kinds. A one-rank gloo group on the CPU is enough. The fix
computes the two norms separately and scales every gradient by the same coefficient."""

import os

from kbfix.reproduce import free_port

REQUIRES = ("torch",)
FIXES = (1,)


def _backward_on_mixed_model():
    import torch
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor.parallel import ColwiseParallel, parallelize_module

    mesh = init_device_mesh("cpu", (1,))
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 2))
    parallelize_module(model, mesh, {"0": ColwiseParallel()})  # only the first layer is in the plan
    model(torch.randn(4, 8)).sum().backward()
    return model


def _run(step):
    import torch.distributed as dist

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = free_port()
    dist.init_process_group(backend="gloo", rank=0, world_size=1)
    try:
        step(_backward_on_mixed_model())
    finally:
        dist.destroy_process_group()


def reproduce():
    import torch

    _run(lambda model: torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0))


def _split_clip(model, max_norm=1.0):
    import torch
    from torch.distributed.tensor import DTensor

    grads = [p.grad for p in model.parameters() if p.grad is not None]
    dtensor_grads = [g for g in grads if isinstance(g, DTensor)]
    plain_grads = [g for g in grads if not isinstance(g, DTensor)]
    norms = []
    if dtensor_grads:
        norms.append(torch.nn.utils.get_total_norm(dtensor_grads).full_tensor())
    if plain_grads:
        norms.append(torch.nn.utils.get_total_norm(plain_grads))
    total_norm = torch.linalg.vector_norm(torch.stack(norms))
    coef = float(torch.clamp(max_norm / (total_norm + 1e-6), max=1.0))
    for g in grads:
        g.mul_(coef)


def fixed():
    _run(_split_clip)

"""A process group whose only backend serves CUDA tensors (what backend="nccl" registers) is given a CPU
tensor. On a CPU machine the same group is built with the device-qualified string "cuda:gloo"; the fix
registers a backend for the CPU too."""

import os

from kbfix.reproduce import free_port

REQUIRES = ("torch",)
FIXES = (1,)


def _broadcast(backend):
    import torch
    import torch.distributed as dist

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = free_port()
    dist.init_process_group(backend=backend, rank=0, world_size=1)
    try:
        dist.broadcast(torch.zeros(1), src=0)
    finally:
        dist.destroy_process_group()


def reproduce():
    _broadcast("cuda:gloo")


def fixed():
    _broadcast("cpu:gloo,cuda:gloo")

"""Fill the GPU's memory before the first matrix product, so cuBLAS cannot create its handle
(``CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)```): what another process holding the
GPU, or a model loaded before the first step, does to a training run.

fixed() frees the memory first (fix 0) and the same product runs. Needs a CUDA GPU
(``scripts/verify_gpu.py``), in a process of its own, since the first product creates the handle.
"""

REQUIRES = ("torch",)
DEVICES = ("cuda",)
FIXES = (0,)


def _fill():
    import torch

    held = []
    for chunk in (1 << 30, 64 << 20, 2 << 20, 128 << 10):  # take every block the allocator can get
        while True:
            try:
                held.append(torch.empty(chunk, dtype=torch.uint8, device="cuda"))
            except torch.OutOfMemoryError:
                break
    return held


def reproduce():
    import os

    import torch

    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":0:0"  # no workspace from torch's allocator: only cuBLAS allocates
    a = torch.randn(256, 256, device="cuda")
    out = torch.empty_like(a)  # the product's output exists before memory runs out
    held = _fill()
    try:
        torch.mm(a, a, out=out)  # the first product creates the cuBLAS handle
        torch.cuda.synchronize()
    finally:
        del held


def fixed():
    import torch

    torch.cuda.empty_cache()  # fix 0: free the memory (here: the blocks reproduce() held) before the first step
    a = torch.randn(256, 256, device="cuda")
    assert torch.isfinite((a @ a).sum())

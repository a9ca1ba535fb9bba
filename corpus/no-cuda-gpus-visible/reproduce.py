"""Training code with a fused Triton kernel (a ``@triton.jit`` element-wise kernel, as Unsloth, liger-kernel or a
repository's own ``kernels.py`` ship them) runs on a machine where this process sees no NVIDIA GPU. Launching the
kernel makes Triton pick its backend (``triton.runtime.driver.active``); the NVIDIA backend counts as active only when
``torch.cuda.is_available()``, so none is: ``RuntimeError: 0 active drivers ([]). There should only be one.``
fixed() applies fix 3 (no NVIDIA GPU: choose the device by what is available and run the code there): the device is
picked with ``torch.cuda.is_available()``, and on the CPU the same step runs with torch's own operation instead of the
GPU-only kernel; the result is what the kernel computes.

Runs here on the CPU with the real Triton (this environment's torch is a CPU build, so no CUDA device is visible);
nothing is compiled, the error comes before. Triton is not installed in the test environment: this runs with an
overlay of triton 3.9.0 (its backends included); elsewhere the test skips it, and so it does where a GPU is visible
(the kernel would run).
"""

from kbfix.reproduce import cuda_visible

# the release this reproducer is verified with where the environment lacks it (scripts/verify.py --overlays)
OVERLAY = ("triton==3.9.0",)
# Triton >= 3.0 raises "0 active drivers"; a visible GPU would run the kernel instead
REQUIRES = ("torch", "triton") + (("kbfix_requires_no_visible_gpu",) if cuda_visible() else ())
FIXES = (3,)


def _kernel():
    import triton
    import triton.language as tl

    @triton.jit
    def fused_add_scale(x_ptr, y_ptr, out_ptr, n, scale, BLOCK: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        mask = offsets < n
        x = tl.load(x_ptr + offsets, mask=mask)
        y = tl.load(y_ptr + offsets, mask=mask)
        tl.store(out_ptr + offsets, (x + y) * scale, mask=mask)

    return fused_add_scale


def _step(device, use_kernel):
    """One step of the training code: a residual add and scale, on ``device``."""
    import torch
    import triton

    torch.manual_seed(0)
    x, y = torch.randn(1000, device=device), torch.randn(1000, device=device)
    if use_kernel:
        out = torch.empty_like(x)
        _kernel()[(triton.cdiv(x.numel(), 256),)](x, y, out, x.numel(), 0.5, BLOCK=256)
        return out
    return (x + y) * 0.5


def reproduce():
    _step("cpu", use_kernel=True)      # the repository calls its Triton kernel unconditionally


def fixed():
    import torch

    # fix 3: no NVIDIA GPU here: the device chosen by what is available, the Triton kernel only on a CUDA device
    device = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    out = _step(device, use_kernel=device == "cuda")
    return f"step ran on {device}: {out.shape[0]} values, mean {out.mean().item():.4f}\n"

"""An xformers wheel built for another torch: its ``_C`` extension cannot be loaded by the running torch, and the real
``xformers/_cpp_lib.py`` logs ``WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:
PyTorch 2.5.1+cu121 with CUDA 1201 (you have ...)``; every memory-efficient attention kernel then reports itself
unavailable (on a GPU the same state raises ``No operator found ... xFormers wasn't build with CUDA support``).

It needs such a wheel in the environment: every xformers wheel pins a CUDA build of torch, so on a machine with a
CPU-only torch ``pip install --no-deps xformers==0.0.28.post3`` is one (that is how it was checked); where xformers is
absent the test skips it. reproduce() imports it in a fresh interpreter and returns what it printed. fixed() applies
fix 1: without xformers (as after ``pip uninstall xformers``) the caller falls back to PyTorch's SDPA and the same
attention runs.
"""

from kbfix.reproduce import succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('xformers==0.0.28.post3',)
REQUIRES = ("torch", "xformers")
FIXES = (1,)

BROKEN = '''
import torch
import xformers
import xformers.ops as xops
from xformers import _cpp_lib
from xformers.ops.fmha import cutlass

print("xformers", xformers.__version__, "torch", torch.__version__)
print("C++/CUDA extensions loaded:", _cpp_lib._cpp_library_load_exception is None)
print("built with CUDA:", _cpp_lib._built_with_cuda)
print("memory_efficient_attention.cutlassF available:", cutlass.FwOp.is_available())
'''

FALLBACK = '''
import sys
sys.modules["xformers"] = None           # what `pip uninstall -y xformers` leaves: the import fails
import torch
import torch.nn.functional as F

try:
    import xformers.ops as xops
    attention = lambda q, k, v: xops.memory_efficient_attention(q, k, v)
    backend = "xformers"
except ImportError:                      # diffusers / Unsloth / ComfyUI / kohya --sdpa do the same
    attention = lambda q, k, v: F.scaled_dot_product_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)).transpose(1, 2)
    backend = "sdpa"
q = torch.randn(1, 16, 2, 8)             # [batch, seq, heads, head_dim], xformers' layout
out = attention(q, q, q)
print("attention backend:", backend, "output", tuple(out.shape))
'''


def reproduce():
    from kbfix.reproduce import run_script

    code, output = run_script(BROKEN, timeout=180)
    assert code == 0, output
    assert "C++/CUDA extensions loaded: False" in output, (
        "the installed xformers matches this torch; the reproducer needs a wheel built for another one\n" + output)
    return output


def fixed():
    from kbfix.reproduce import run_script

    return succeeded(run_script(FALLBACK, timeout=180), "attention backend: sdpa output (1, 16, 2, 8)")

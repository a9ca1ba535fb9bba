"""torch.compile builds its kernels with the host toolchain at run time: Inductor's CPU backend compiles C++
with g++/clang++ (Triton's GPU launcher compiles C with gcc/clang against Python.h the same way). A process whose
PATH holds no C/C++ compiler (a slim container, a fresh VM without build-essential) fails at the first compiled
call: InvalidCxxCompiler. fixed() runs the same script with the system compiler on PATH.

Each run uses a fresh Inductor cache folder: a cached kernel would skip the compiler search."""

import os
import tempfile

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0,)

SCRIPT = """
import torch

@torch.compile
def step(x):
    return (x.sin() * 2).sum()

print("result", float(step(torch.randn(8))))
"""


def _run(path):
    with tempfile.TemporaryDirectory() as cache:
        return run_script(SCRIPT, env={"PATH": path, "TORCHINDUCTOR_CACHE_DIR": cache}, unset=("CC", "CXX"),
                          timeout=400)


def reproduce():
    with tempfile.TemporaryDirectory() as empty:  # a PATH with no compiler on it
        return failed(_run(empty))


def fixed():
    return succeeded(_run(os.environ.get("PATH", "/usr/bin:/bin")), "result")

"""A script JIT-builds a tiny C++ op with ``torch.utils.cpp_extension.load()`` (as StyleGAN2, xLSTM or PyTorch-Encoding
do at import) in a process whose PATH has a C++ compiler but no ``ninja``: torch's ``verify_ninja_availability`` raises
its real ``RuntimeError: Ninja is required to load C++ extensions``. fixed() applies fix 0: the same script with the
bin folder of pip's ``ninja`` package (``ninja.BIN_DIR``) on PATH; the op builds into a temporary folder, loads and
runs (seconds, not minutes: it includes only ``torch/library.h``, not ``torch/extension.h``).

The child's PATH is a temporary folder holding links to the system's toolchain only (the C/C++ compilers, the
assembler and linker they run), so no other ninja (``/usr/bin/ninja`` of a ``ninja-build`` package, the environment's
own bin) is found by accident."""

import os
import shutil
import tempfile

from kbfix.reproduce import TINY_TORCH_OP_SCRIPT, failed, run_script, succeeded

REQUIRES = ("torch", "ninja")
FIXES = (0,)

SCRIPT = TINY_TORCH_OP_SCRIPT


def _run(*path):
    """The script with PATH = ``path`` plus a folder of links to the toolchain found here (compilers, as, ld)."""
    with tempfile.TemporaryDirectory() as tools:
        for name in ("cc", "c++", "gcc", "g++", "as", "ld"):
            found = shutil.which(name)
            if found:
                os.symlink(found, os.path.join(tools, name))
        return run_script(SCRIPT, env={"PATH": os.pathsep.join((*path, tools))}, unset=("CXX", "CC"), timeout=300)


def reproduce():
    return failed(_run())


def fixed():
    import ninja

    return succeeded(_run(ninja.BIN_DIR), "twice [2.0, 2.0]")

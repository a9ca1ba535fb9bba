"""A tiny C++ op library (``TORCH_LIBRARY``, the way torch-scatter / torch-sparse register their ops) compiled for
another build of torch is loaded under the installed one: ``torch.ops.load_library`` raises the dynamic loader's real
``OSError: ...so: undefined symbol: _ZN5torch3jit17parseSchemaOrNameERKSsb``.

"Another build" here is the other C++ ABI: pip's torch up to 2.6 was built with the pre-C++11 ``std::string``, and
``torch.utils.cpp_extension`` then compiled every extension with ``-D_GLIBCXX_USE_CXX11_ABI=0`` (from
``torch._C._GLIBCXX_USE_CXX11_ABI``); torch 2.7+ wheels use the new ABI, so such an extension wheel names torch
functions that take the old ``std::string`` (``Ss`` in the symbol) and torch no longer has. The reproducer builds the
op with that flag, as a build against such a torch does. fixed() applies fix 0: the same source rebuilt into a clean
folder against the installed torch (the flags ``cpp_extension`` derives from it): it loads and runs.

Each build runs in a child process (a registered op library stays for the life of a process) and takes seconds: it
includes only ``torch/library.h``, not ``torch/extension.h``."""

from kbfix.reproduce import TINY_TORCH_OP_SCRIPT, failed, release_within, run_script, succeeded

# the old-ABI flag reproduces a mismatch only under a new-ABI torch: pip's torch since 2.7 (verified with 2.13.0+cpu)
REQUIRES = ("torch", "ninja") + (() if release_within("torch", (2, 7)) else ("kbfix_requires_torch_2_7_or_later",))
FIXES = (0,)

SCRIPT = TINY_TORCH_OP_SCRIPT


def reproduce():
    # built as for a pre-C++11-ABI torch (pip's torch <= 2.6), loaded under the installed new-ABI torch
    return failed(run_script(SCRIPT, args=("-D_GLIBCXX_USE_CXX11_ABI=0",), timeout=300))


def fixed():
    return succeeded(run_script(SCRIPT, timeout=300), "twice [2.0, 2.0]")

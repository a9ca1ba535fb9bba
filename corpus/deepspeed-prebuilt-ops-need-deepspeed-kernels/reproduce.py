"""DeepSpeed's own ``setup.py`` (the 0.19.8 source distribution pip builds from) with its ops pre-compiled.

``pip install deepspeed`` builds the sdist; with ``DS_BUILD_OPS=1`` (the default on Windows, set here as a Linux user
pre-compiling would) every op that looks compatible is turned into an extension while ``setup.py`` runs, before any
compiler starts. ``InferenceCutlassBuilder.extra_ldflags`` does ``import dskernels`` (the Linux-only deepspeed-kernels
package, not installed here), and setup.py stops with its real ``ModuleNotFoundError: No module named 'dskernels'``.
``DS_ACCELERATOR=cuda`` is DeepSpeed's own switch for the accelerator it builds for: what a CUDA machine detects, so
the CUDA op list (cutlass_ops, ragged_device_ops) is the one setup.py walks on this CPU machine.

fixed() applies fix 0: the same command with the variables build_win.bat sets (DS_BUILD_CUTLASS_OPS=0,
DS_BUILD_RAGGED_DEVICE_OPS=0 and the other ops that cannot build there): setup.py prints ``Install Ops={...}`` with
cutlass_ops and ragged_device_ops False and finishes. ``setup.py --name`` runs all of setup.py's module-level op
selection and stops before compiling, so nothing is built; each run works on a copy of the unpacked sdist (setup.py
writes its version file into the tree). The sdist comes from ``SOURCES`` (``scripts/verify.py --overlays``
downloads and unpacks it without building it); elsewhere the test skips this.
"""

import os
import shutil
import subprocess
import sys
import tempfile

from kbfix.reproduce import failed, source_folder, succeeded

DEEPSPEED = "deepspeed==0.19.8"
SOURCES = (DEEPSPEED,)
REQUIRES = ("torch",)
FIXES = (0,)

# fix 0, as build_win.bat sets them
SKIP_OPS = {name: "0" for name in ("DS_BUILD_CUTLASS_OPS", "DS_BUILD_RAGGED_DEVICE_OPS", "DS_BUILD_EVOFORMER_ATTN",
                                   "DS_BUILD_AIO", "DS_BUILD_GDS", "DS_BUILD_FP_QUANTIZER", "DS_BUILD_SPARSE_ATTN")}


def _setup(extra: dict[str, str]) -> tuple[int, str]:
    """``python setup.py --name`` in a copy of DeepSpeed's sdist, pre-compiling ops for CUDA: (exit code, output)."""
    source = source_folder(DEEPSPEED)
    if source is None:
        raise RuntimeError(f"{DEEPSPEED}'s source distribution is not unpacked (scripts/verify.py --overlays)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DS_BUILD_")}
    env.update({"DS_ACCELERATOR": "cuda", "DS_BUILD_OPS": "1", "OMP_NUM_THREADS": "1", **extra})
    with tempfile.TemporaryDirectory() as folder:
        tree = os.path.join(folder, "deepspeed-0.19.8")
        shutil.copytree(source, tree)
        done = subprocess.run([sys.executable, "setup.py", "--name"], cwd=tree, env=env, capture_output=True,
                              text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def reproduce():
    return failed(_setup({}))


def fixed():
    output = succeeded(_setup(SKIP_OPS), "'cutlass_ops': False", "'ragged_device_ops': False")
    return "\n".join(line for line in output.splitlines() if line.startswith(("DS_BUILD_OPS", "Install Ops"))) + "\n"

"""`import torch` of a CUDA pip torch (2.14.1+cu130 and the nvidia-* wheels it pins, from OVERLAY) in a fresh
process whose packages folder lacks one of them, nvidia-cudnn-cu13, as after `pip install --no-deps torch`, a lock
file that dropped it or an install that skipped it: a copy of the overlay folder (torch hard-linked, so the loader's
$ORIGIN is the copy, the rest symlinked) without nvidia/cudnn. torch/__init__.py loads libtorch_global_deps (it
only needs libcudart, present), preloads the nvidia-* libraries it finds, then `from torch._C import *` loads
libtorch_cuda.so, whose DT_NEEDED libcudnn.so.9 is nowhere: the loader's real "ImportError: libcudnn.so.9: cannot
open shared object file: No such file or directory".

fixed() applies fix 1: the missing package put back at exactly the version torch's metadata pins
(nvidia-cudnn-cu13==9.24.0.43, the overlay's copy linked in, as `pip install` would unpack it): `import torch` works
and prints torch.version.cuda and torch.backends.cudnn.version(). No GPU or driver is needed for either.

Verified with torch 2.14.1+cu130, nvidia-cudnn-cu13 9.24.0.43. Skipped unless that CUDA torch is in front and comes
from a folder of its own (an OVERLAY folder): in a site-packages install the copy could not leave cuDNN out.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import PathDistribution, distribution
from pathlib import Path

from kbfix.reproduce import CUDA_TORCH_2_14_OVERLAY, failed, release_within, succeeded

OVERLAY = CUDA_TORCH_2_14_OVERLAY


def _overlay_torch():
    """The folder the CUDA torch 2.14 in front is installed in, when it is a PYTHONPATH folder (not site-packages)."""
    if not release_within("torch", (2, 14), (2, 15)) or importlib.util.find_spec("torch") is None:
        return None
    folder = Path(importlib.util.find_spec("torch").origin).parent.parent
    pythonpath = {os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    has_cudnn = (folder / "nvidia" / "cudnn" / "lib").is_dir()
    return folder if has_cudnn and os.path.realpath(folder) in pythonpath else None


# this module is never installed: it stands for "the CUDA torch 2.14 and its nvidia-* wheels in an overlay folder"
REQUIRES = ("torch",) + (() if _overlay_torch() else ("kbfix_requires_cuda_torch_2_14_overlay",))
FIXES = (1,)

CHECK = "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())"


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:  # another file system: a copy gives the loader the same $ORIGIN
        shutil.copy2(source, target)


def _packages_without_cudnn(source: Path, target: Path) -> None:
    """``target``: the packages of ``source`` without nvidia-cudnn-cu13 (its nvidia/cudnn folder and dist-info)."""
    target.mkdir()
    for item in source.iterdir():
        if item.name.startswith("nvidia_cudnn_cu13-") or item.name == "nvidia":
            continue
        if item.name == "torch":  # real files: libtorch_cuda.so's RPATH $ORIGIN/../../nvidia/... must mean target
            shutil.copytree(item, target / "torch", symlinks=True, copy_function=_link_or_copy)
        else:
            (target / item.name).symlink_to(item)
    (target / "nvidia").mkdir()
    for item in (source / "nvidia").iterdir():
        if item.name != "cudnn":
            (target / "nvidia" / item.name).symlink_to(item)


def _import_torch(packages: Path) -> tuple[int, str]:
    """``import torch`` in a fresh interpreter that finds its packages in ``packages`` (and not in the overlay)."""
    overlay = os.path.realpath(_overlay_torch())
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.realpath(p) != overlay]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(packages), *rest]))
    env.pop("LD_LIBRARY_PATH", None)
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=packages, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def reproduce():
    with tempfile.TemporaryDirectory() as tmp:
        packages = Path(tmp) / "site"
        _packages_without_cudnn(_overlay_torch(), packages)
        return failed(_import_torch(packages))


def fixed():
    overlay = _overlay_torch()
    pinned = [r.split(";")[0].replace(" ", "") for r in distribution("torch").requires or () if r.startswith("nvidia-cudnn")]
    cudnn = next(overlay.glob("nvidia_cudnn_cu13-*.dist-info"))
    assert pinned == [f"nvidia-cudnn-cu13=={PathDistribution(cudnn).version}"], (pinned, cudnn)
    with tempfile.TemporaryDirectory() as tmp:
        packages = Path(tmp) / "site"
        _packages_without_cudnn(overlay, packages)
        (packages / cudnn.name).symlink_to(cudnn)  # the pinned nvidia-cudnn-cu13 installed again
        (packages / "nvidia" / "cudnn").symlink_to(overlay / "nvidia" / "cudnn")
        output = succeeded(_import_torch(packages), "cuda 13.0", "cudnn 9")
    return f"{' '.join(pinned)} present\n{output}"

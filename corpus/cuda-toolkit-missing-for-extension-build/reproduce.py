"""A tiny CUDAExtension (one .cu kernel, one .cpp module) built the way `pip install` builds flash-attn or apex:
`python setup.py build_ext` with torch's BuildExtension, under a CUDA torch (2.14.1+cu130 and the nvidia-* wheels it
pins, from OVERLAY) and with CUDA_HOME pointing at a runtime-only CUDA folder (lib64 with the runtime libraries, no
bin/nvcc, as nvidia/cuda:*-runtime images have) and no nvcc on PATH. torch's BuildExtension checks the toolkit
before compiling a .cu file (_check_cuda_version) and raises FileNotFoundError("nvcc not found at '<home>/bin/nvcc'.
Ensure CUDA path '<home>' is correct."); torch releases before that check ran `<home>/bin/nvcc --version` and failed
with "[Errno 2] No such file or directory: '<home>/bin/nvcc'".

fixed() applies fix 0: CUDA_HOME (and PATH) pointing at the real toolkit whose major.minor equals torch.version.cuda
(/usr/local/cuda-13.0 here): the extension compiles with nvcc, links against torch and libcudart, and imports. This
machine has no GPU and no driver, so the kernel is never launched: "compiles, links and imports" is the claim.

Verified with torch 2.14.1 (CUDA 13.0 wheels), setuptools 84.2.1, nvcc 13.0.88, gcc 12.2. Skipped where the torch in
front is not that CUDA build or no CUDA 13.0 toolkit sits at /usr/local/cuda-13.0.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from kbfix.reproduce import CUDA_TORCH_2_14_OVERLAY, failed, release_within, succeeded

OVERLAY = CUDA_TORCH_2_14_OVERLAY
TOOLKIT = Path("/usr/local/cuda-13.0")  # the toolkit matching torch 2.14.1's CUDA 13.0

# these modules are never installed: they stand for "the CUDA build of torch 2.14 in front" and "a CUDA 13.0 toolkit"
REQUIRES = ("torch", "setuptools")
REQUIRES += () if release_within("torch", (2, 14), (2, 15)) else ("kbfix_requires_cuda_torch_2_14",)
REQUIRES += () if (TOOLKIT / "bin" / "nvcc").exists() else ("kbfix_requires_cuda_13_0_toolkit",)
FIXES = (0,)

KERNEL = """
#include <cuda_runtime.h>
__global__ void add_one(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += 1.0f;
}
int add_one_launch(float* x, int n) {
    add_one<<<(n + 255) / 256, 256>>>(x, n);
    return (int)cudaGetLastError();
}
"""
MODULE = """
#include <Python.h>
int add_one_launch(float* x, int n);
static PyObject* launcher(PyObject*, PyObject*) { return PyLong_FromVoidPtr((void*)&add_one_launch); }
static PyMethodDef methods[] = {{"launcher", launcher, METH_NOARGS, "address of the host launcher"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "add_one_cuda", NULL, -1, methods};
PyMODINIT_FUNC PyInit_add_one_cuda(void) { return PyModule_Create(&module); }
"""
SETUP = """
from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CUDAExtension

setup(name="add_one_cuda", ext_modules=[CUDAExtension("add_one_cuda", ["add_one.cpp", "add_one_kernel.cu"])],
      cmdclass={"build_ext": BuildExtension})
"""


def _cuda_torch():
    import torch

    assert torch.version.cuda is not None, f"torch {torch.__version__} in front is not a CUDA build"
    return torch


def _build(cuda_home: Path, folder: Path, *then: str) -> tuple[int, str]:
    """`python setup.py build_ext --inplace` in ``folder`` with CUDA_HOME=``cuda_home``, no nvcc on PATH but the
    toolkit's own bin; then the ``then`` Python code, if the build passed."""
    for name, text in (("add_one_kernel.cu", KERNEL), ("add_one.cpp", MODULE), ("setup.py", SETUP)):
        (folder / name).write_text(text, encoding="utf-8")
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not os.path.exists(os.path.join(d, "nvcc"))]
    if (cuda_home / "bin" / "nvcc").exists():
        path.insert(0, str(cuda_home / "bin"))
    env = {k: v for k, v in os.environ.items() if k not in ("CUDA_PATH", "CUDACXX")}
    env.update(CUDA_HOME=str(cuda_home), PATH=os.pathsep.join(path), TORCH_CUDA_ARCH_LIST="8.0", MAX_JOBS="2")
    done = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode or not then:
        return done.returncode, done.stdout + done.stderr
    ran = subprocess.run([sys.executable, "-c", *then], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    return ran.returncode, done.stdout + done.stderr + ran.stdout + ran.stderr


def reproduce():
    _cuda_torch()
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Path(tmp) / "cuda"  # a runtime-only CUDA folder: the libraries, no toolkit
        (runtime / "lib64").mkdir(parents=True)
        for lib in (TOOLKIT / "lib").glob("libcudart.so*"):
            (runtime / "lib64" / lib.name).symlink_to(lib)
        (Path(tmp) / "ext").mkdir()
        return failed(_build(runtime, Path(tmp) / "ext"))


def fixed():
    torch = _cuda_torch()
    with tempfile.TemporaryDirectory() as tmp:
        check = "import torch, add_one_cuda; print('imported', add_one_cuda.__file__, 'torch', torch.version.cuda, hex(add_one_cuda.launcher()))"
        output = succeeded(_build(TOOLKIT, Path(tmp), check), "imported")
    assert f"torch {torch.version.cuda}" in output, output
    return output

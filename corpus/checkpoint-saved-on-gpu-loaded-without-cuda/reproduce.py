"""A checkpoint written from CUDA tensors, loaded with a plain ``torch.load(path)`` in a process where torch sees no
CUDA device. torch.save records each storage's location tag ("cuda:0" for a tensor on the first GPU) in the pickle;
torch.load without ``map_location`` restores every storage to that location, and torch.serialization's
``_validate_device`` (``validate_cuda_device`` in older releases) raises "Attempting to deserialize object on a CUDA
device but torch.cuda.is_available() is False ..." before any tensor is built.

No GPU is needed to write such a file: the location tag comes from torch.serialization's package registry, so a
writer process registers (with the public ``torch.serialization.register_package``) a tagger that tags its storages
"cuda:0", exactly the string torch's own CUDA tagger writes for a tensor on GPU 0; the file holds the same bytes a GPU
save of that state dict would. The reader is a fresh process with ``CUDA_VISIBLE_DEVICES=""`` (a CPU-only machine,
also on a GPU host) and nothing registered: torch's own restore path raises. fixed() applies fix 0: the same load
with ``map_location="cpu"`` (and ``weights_only=True``), which returns the tensors on the CPU.
"""

import os
import tempfile

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0,)

SAVE = r'''
import sys, torch, torch.serialization
# what torch's CUDA tagger writes for a storage on GPU 0; checked first (priority 1, CPU's own tagger is 10)
torch.serialization.register_package(1, lambda storage: "cuda:0", lambda storage, location: None)
state = {"linear.weight": torch.randn(4, 3), "linear.bias": torch.zeros(4)}
torch.save({"model": state, "epoch": 3}, sys.argv[1])
print("saved", sys.argv[1])
'''

LOAD = r'''
import sys, torch
print("torch", torch.__version__, "cuda available:", torch.cuda.is_available(), flush=True)
if sys.argv[2] == "cpu":                       # fix 0
    checkpoint = torch.load(sys.argv[1], map_location="cpu", weights_only=True)
else:
    checkpoint = torch.load(sys.argv[1])
print("loaded", {k: (tuple(v.shape), str(v.device)) for k, v in checkpoint["model"].items()})
'''

NO_GPU = {"CUDA_VISIBLE_DEVICES": "", "HF_HUB_OFFLINE": "1"}


def _load(mapping):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        succeeded(run_script(SAVE, args=(path,)), "saved")
        return run_script(LOAD, args=(path, mapping), env=NO_GPU)


def reproduce():
    output = failed(_load(""))
    return output[output.index("Traceback"):] if "Traceback" in output else output


def fixed():
    return succeeded(_load("cpu"), "loaded", "'cpu'")

"""DGL 2.1.0 from PyPI (its wheel ships GraphBolt and sparse libraries for torch 2.0.0 .. 2.2.1 only) is installed beside
a newer torch (this environment's 2.13.0): ``import dgl`` reaches ``dgl.graphbolt.load_graphbolt()``, which looks for
``libgraphbolt_pytorch_2.13.0.so`` and raises ``FileNotFoundError: Cannot find DGL C++ graphbolt library at
.../dgl/graphbolt/libgraphbolt_pytorch_2.13.0.so``. fixed() applies fix 1 (a torch release the installed DGL ships a
library for): torch 2.2.1, and the same DGL imports, builds a graph and runs a message-passing layer.

Both runs are fresh interpreters (``run_script``). The error run imports this environment's torch 2.13.0 and then DGL
from the overlay folder, placed behind the environment (DGL installed into it); the fixed run has the overlay in front,
so its torch 2.2.1 (the PyPI build, CUDA 12.1 wheels with the nvidia-* libraries it loads at import; nothing runs on a
GPU) is the one DGL sees, with numpy 1.26.4 (torch 2.2.1 was built against numpy 1.x: with numpy 2 it cannot turn
DGL's index arrays into tensors) and a pandas that runs on it. DGL is not installed in the test environment: this runs
with an overlay of dgl 2.1.0, torchdata 0.7.1 (dgl.graphbolt imports its datapipes), torch 2.2.1 with the wheels it
loads, numpy 1.26.4 and pandas 2.2.3; elsewhere the test skips it.
"""

import importlib.util
import os

from kbfix.reproduce import failed, run_script, succeeded

# the releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("dgl==2.1.0", "torchdata==0.7.1", "torch==2.2.1", "nvidia-cuda-nvrtc-cu12==12.1.105",
           "nvidia-cuda-runtime-cu12==12.1.105", "nvidia-cuda-cupti-cu12==12.1.105", "nvidia-cudnn-cu12==8.9.2.26",
           "nvidia-cublas-cu12==12.1.3.1", "nvidia-cufft-cu12==11.0.2.54", "nvidia-curand-cu12==10.3.2.106",
           "nvidia-cusolver-cu12==11.4.5.107", "nvidia-cusparse-cu12==12.1.0.106", "nvidia-nccl-cu12==2.19.3",
           "nvidia-nvtx-cu12==12.1.105", "nvidia-nvjitlink-cu12==12.1.105", "numpy==1.26.4", "pandas==2.2.3",
           "pytz==2026.6")
REQUIRES = ("torch", "torchdata", "scipy", "networkx", "pandas", "dgl")
FIXES = (1,)

# a graph and one GraphConv layer: what the user's script does right after `import dgl`
GRAPH = r'''
import sys

if len(sys.argv) > 1:       # DGL installed into this environment: its folder behind the environment's packages
    sys.path.append(sys.argv[1])
import torch
import dgl
from dgl.nn import GraphConv

print("torch", torch.__version__, "dgl", dgl.__version__, flush=True)
g = dgl.add_self_loop(dgl.graph((torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 0]))))
h = GraphConv(4, 2)(g, torch.ones(4, 4))
print("GraphConv output", tuple(h.shape), flush=True)
'''


def _overlay():
    """The folder DGL is installed in (the overlay)."""
    return os.path.dirname(os.path.dirname(importlib.util.find_spec("dgl").origin))


def reproduce():
    overlay = _overlay()
    path = os.pathsep.join(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                           if p and os.path.realpath(p) != os.path.realpath(overlay))
    return failed(run_script(GRAPH, args=(overlay,), env={"PYTHONPATH": path}))


def fixed():
    # fix 1: a torch release the installed DGL 2.1.0 ships its libraries for (2.2.1), in front
    return succeeded(run_script(GRAPH), "GraphConv output")

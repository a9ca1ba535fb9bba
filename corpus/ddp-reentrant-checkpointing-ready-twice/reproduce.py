"""Real DistributedDataParallel on CPU (gloo, one rank) around a model whose blocks use reentrant
activation checkpointing, wrapped with find_unused_parameters=True (ddp_find_unused_parameters: true):
the reentrant backward fires DDP's gradient hooks a second time and the reducer refuses.
fixed() checkpoints with use_reentrant=False (gradient_checkpointing_kwargs={"use_reentrant": False}).

Each run is a fresh process (kbfix.reproduce.run_script, :data:`kbfix.reproduce.DDP_ONE_RANK_EXIT`): a DDP reducer
left over from a failed backward, freed in the test process after its process group, can deadlock there (the group's
destructor joins a gloo thread that waits for the GIL the destructor holds).
"""

from kbfix.reproduce import DDP_ONE_RANK_EXIT, ONE_RANK_GLOO, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0,)

SCRIPT = ONE_RANK_GLOO + '''
import sys
import torch
from torch.utils.checkpoint import checkpoint

use_reentrant = sys.argv[1] == "reentrant"


class Blocks(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(8, 8) for _ in range(3))

    def forward(self, x):
        for layer in self.layers:  # what model.gradient_checkpointing_enable() does per decoder layer
            x = checkpoint(layer, x, use_reentrant=use_reentrant)
        return x


def train():
    model = torch.nn.parallel.DistributedDataParallel(Blocks(), find_unused_parameters=True)
    inputs = torch.randn(4, 8, requires_grad=True)  # enable_input_require_grads()
    for _ in range(2):
        model(inputs).pow(2).mean().backward()
    print("trained 2 steps")
''' + DDP_ONE_RANK_EXIT


def reproduce():
    code, output = run_script(SCRIPT, args=("reentrant",), timeout=180)
    assert code != 0 and "mark a variable ready only once" in output, output
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("non-reentrant",), timeout=180), "trained 2 steps")

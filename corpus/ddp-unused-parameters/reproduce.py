"""DDP (gloo, one CPU process) around a model with a head that never takes part in the loss.

Each run is a fresh process (kbfix.reproduce.run_script, :data:`kbfix.reproduce.DDP_ONE_RANK_EXIT`): a DDP reducer
left over from a failed step, freed in the test process after its process group, can deadlock there (the group's
destructor joins a gloo thread that waits for the GIL the destructor holds).
"""

from kbfix.reproduce import DDP_ONE_RANK_EXIT, ONE_RANK_GLOO, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0, 1)

SCRIPT = ONE_RANK_GLOO + '''
import sys
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 8)
        self.lm_head = nn.Linear(8, 4)
        self.value_head = nn.Linear(8, 1)  # only used in another stage of training

    def forward(self, x):
        return self.lm_head(torch.relu(self.body(x)))


def train():
    torch.manual_seed(0)
    model = TwoHeads()
    if sys.argv[1] == "freeze":  # fix 1: freeze what is not trained in this stage, so DDP does not wait for it
        model.value_head.requires_grad_(False)
    # fix 0: let DDP find the parameters that got no gradient in this iteration
    ddp = DDP(model, find_unused_parameters=sys.argv[1] == "find-unused")
    optimizer = torch.optim.SGD([p for p in ddp.parameters() if p.requires_grad], lr=0.1)
    for _ in range(2):  # the error surfaces at the start of the 2nd forward
        loss = ddp(torch.randn(4, 8)).pow(2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    print("trained 2 steps")
''' + DDP_ONE_RANK_EXIT


def reproduce():
    code, output = run_script(SCRIPT, args=("plain",), timeout=180)
    assert code != 0 and "finished reduction in the prior iteration" in output, output
    return output


def fixed():
    return (succeeded(run_script(SCRIPT, args=("find-unused",), timeout=180), "trained 2 steps")
            + succeeded(run_script(SCRIPT, args=("freeze",), timeout=180), "trained 2 steps"))

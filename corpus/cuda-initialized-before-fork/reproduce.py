"""A DataLoader whose Dataset puts each item on the GPU, in a training script that already used CUDA: the
forked workers (the Linux default start method before Python 3.14, asked for explicitly here) cannot
initialise CUDA again and the first batch fails with ``Cannot re-initialize CUDA in forked subprocess``.

reproduce() returns what the terminal shows (the worker's traceback as the DataLoader re-raises it);
fixed() keeps the Dataset on the CPU and moves each batch in the loop (fix 0), then starts the workers
with spawn (fix 1); both run clean. Needs a CUDA GPU (``scripts/verify_gpu.py``).
"""

from kbfix.reproduce import run_script

REQUIRES = ("torch",)
DEVICES = ("cuda",)
FIXES = (0, 1)

SCRIPT = '''
import torch
from torch.utils.data import DataLoader, Dataset


class Items(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        item = torch.full((4,), float(i))
        return item{move}


if __name__ == "__main__":
    model = torch.nn.Linear(4, 1).cuda()          # the parent process has initialised CUDA
    loader = DataLoader(Items(), batch_size=4, num_workers=2, multiprocessing_context="{context}")
    for batch in loader:
        print("loss", model(batch.cuda()).sum().item())
'''


def reproduce():
    code, output = run_script(SCRIPT.format(move=".cuda()", context="fork"), timeout=300)
    assert code != 0, output
    return output


def fixed():
    for move, context in (("", "fork"), (".cuda()", "spawn")):   # fix 0, then fix 1
        code, output = run_script(SCRIPT.format(move=move, context=context), timeout=300)
        if code != 0:
            raise RuntimeError(output)

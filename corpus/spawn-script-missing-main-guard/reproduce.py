"""A training script that starts DataLoader workers at module level, with no ``if __name__ == "__main__":``
guard, under the spawn start method (the only one on Windows, the default on macOS): each spawned worker
re-imports the script as ``__mp_main__``, reaches the DataLoader again and tries to start workers of its own,
which multiprocessing refuses while the worker is still bootstrapping. Fixed: the same code under a main guard
(fix 0), or num_workers=0 (fix 1)."""

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0, 1)

_BODY = """
import torch
from torch.utils.data import DataLoader

def train(num_workers):
    loader = DataLoader(list(range(4)), batch_size=2, num_workers=num_workers,
                        multiprocessing_context="spawn" if num_workers else None)
    for batch in loader:
        pass
    print("trained with", num_workers, "workers")
"""


def reproduce():
    return failed(run_script(_BODY + "\ntrain(1)\n", timeout=180))


def fixed():
    succeeded(run_script(_BODY + '\nif __name__ == "__main__":\n    train(1)\n', timeout=180),
              "trained with 1 workers")  # fix 0
    succeeded(run_script(_BODY + "\ntrain(0)\n", timeout=180), "trained with 0 workers")  # fix 1

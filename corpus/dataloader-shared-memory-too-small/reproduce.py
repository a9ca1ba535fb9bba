"""DataLoader workers hand 4 MiB examples to the main process through /dev/shm, in a private mount
namespace whose /dev/shm is a 1 MiB tmpfs (what a container's small default shm does), then with a
256 MiB one (fix 0: give the container more shared memory) and with fewer workers (fix 1)."""

import os
import shutil
import subprocess
import sys


def _unshare() -> list[str] | None:
    """The unshare command that gives this process a private mount namespace, if the system allows one."""
    if shutil.which("unshare") is None or not os.path.isdir("/dev/shm"):
        return None
    for command in (["unshare", "-m"], ["unshare", "-rm"]):
        try:
            probe = subprocess.run(command + ["sh", "-c", "mount -t tmpfs -o size=1m tmpfs /dev/shm"],
                                   capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return command
    return None


UNSHARE = _unshare()
# without a private mount namespace the host's /dev/shm would be at stake: skipped (this module never exists)
REQUIRES = ("torch",) + (() if UNSHARE else ("kbfix_requires_private_mount_namespace",))
FIXES = (0, 1)

LOADER = """
import sys
import torch
from torch.utils.data import DataLoader, Dataset


class Frames(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return torch.full((1024, 1024), float(i))  # 4 MiB, sent through shared memory by a worker


workers = int(sys.argv[1])
for batch in DataLoader(Frames(), batch_size=2, num_workers=workers):
    pass
print("loaded", tuple(batch.shape), "with", workers, "workers")
"""


def _load(shm: str, workers: int) -> subprocess.CompletedProcess:
    script = f"mount -t tmpfs -o size={shm} tmpfs /dev/shm && exec \"$0\" -c \"$1\" {workers}"
    return subprocess.run(UNSHARE + ["sh", "-c", script, sys.executable, LOADER], capture_output=True,
                          text=True, timeout=120)


def reproduce():
    run = _load("1m", workers=2)
    assert run.returncode != 0, run.stdout
    return run.stderr  # the worker's and the main process's tracebacks, as the training log shows them


def fixed():
    bigger = _load("256m", workers=2)  # fix 0: --shm-size / --ipc=host
    assert bigger.returncode == 0, bigger.stderr
    fewer = _load("1m", workers=0)  # fix 1: no worker processes, nothing through shared memory
    assert fewer.returncode == 0, fewer.stderr
    return bigger.stdout + fewer.stdout

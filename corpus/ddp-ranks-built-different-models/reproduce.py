"""Two CPU processes (gloo) wrap models whose first parameter differs in shape in DistributedDataParallel; the fix
builds the same model on both ranks. The ranks run in a child interpreter (spawn needs a script file)."""

import os
import subprocess
import sys
import tempfile

REQUIRES = ("torch",)
FIXES = (0,)

_SCRIPT = r'''
import os, socket, sys
import torch, torch.distributed as dist, torch.multiprocessing as mp

def _worker(rank, port, same):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    try:
        torch.manual_seed(0)
        out = 2 if (same or rank == 0) else 3
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4, out))
    finally:
        dist.destroy_process_group()

if __name__ == "__main__":
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    mp.spawn(_worker, args=(port, sys.argv[1] == "same"), nprocs=2)
'''


def _run(mode):
    with tempfile.TemporaryDirectory() as folder:
        script = os.path.join(folder, "ddp_ranks.py")
        with open(script, "w") as f:
            f.write(_SCRIPT)
        return subprocess.run([sys.executable, script, mode], capture_output=True, text=True, timeout=300)


def reproduce():
    proc = _run("different")
    if proc.returncode == 0:
        raise AssertionError("DDP accepted models of different shapes")
    return proc.stderr


def fixed():
    proc = _run("same")
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])

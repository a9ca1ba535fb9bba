"""A script written for torchrun (env:// rendezvous: init_process_group reads RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT from the environment) started with plain ``python train.py``: none of the variables is set, so the real
``init_process_group("gloo")`` raises ``ValueError: Error initializing torch.distributed using env:// rendezvous:
environment variable RANK expected, but not set``.

reproduce() returns what the terminal shows; fixed() starts the same script under the real torch.distributed.run
with one rank (fix 0), runs a guarded copy with plain python (fix 1), and the original with the single-process
variables set by hand (fix 2). CPU only (gloo).
"""

from kbfix.reproduce import failed, free_port, run_script, succeeded, torchrun

REQUIRES = ("torch",)
FIXES = (0, 1, 2)

LAUNCHER_VARS = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                 "GROUP_RANK", "TORCHELASTIC_RUN_ID")

WORKER = '''
import torch
import torch.distributed as dist

dist.init_process_group("gloo")                # env:// : the launcher is expected to set RANK, WORLD_SIZE, ...
total = torch.ones(1)
dist.all_reduce(total)
print(f"rank {dist.get_rank()} of {dist.get_world_size()} sum {total.item():.0f}")
dist.destroy_process_group()
'''

GUARDED = '''
import os
import torch
import torch.distributed as dist

distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ    # started by torchrun / deepspeed / accelerate
if distributed:
    dist.init_process_group("gloo")
rank = dist.get_rank() if dist.is_available() and dist.is_initialized() else 0
world = dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
total = torch.ones(1)
if dist.is_available() and dist.is_initialized():
    dist.all_reduce(total)
print(f"rank {rank} of {world} sum {total.item():.0f}")
if dist.is_available() and dist.is_initialized():
    dist.destroy_process_group()
'''


def reproduce():
    return failed(run_script(WORKER, unset=LAUNCHER_VARS, timeout=120))   # python train.py


def fixed():
    # fix 0: the real launcher sets the variables (one rank here; --nproc_per_node=<GPUs> on a GPU machine)
    output = succeeded(torchrun(WORKER, 1, timeout=120), "rank 0 of 1 sum 1")
    # fix 1: a guarded script runs as one plain process
    guarded = succeeded(run_script(GUARDED, unset=LAUNCHER_VARS, timeout=120), "rank 0 of 1 sum 1")
    # fix 2: the single-process variables set by hand (notebooks)
    single = {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": free_port()}
    by_hand = succeeded(run_script(WORKER, env=single, timeout=120), "rank 0 of 1 sum 1")
    return output + guarded + by_hand

"""A script written for Linux GPU servers hard-codes ``init_process_group("nccl")`` and runs on a torch build without
NCCL (here a CPU-only wheel; Windows and macOS wheels behave the same): one rank with the environment a launcher gives
rank 0, and the real ``_new_process_group_helper`` raises ``RuntimeError: Distributed package doesn't have NCCL built in``.

reproduce() returns what the terminal shows; fixed() runs the same rank with the backend chosen from what the build
has (fix 0: gloo here) and an ``all_reduce``. Where NCCL is built in (a Linux CUDA wheel) the error cannot happen, so
the test is skipped there.
"""

import importlib.util

from kbfix.reproduce import failed, succeeded


def _nccl_built_in() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch.distributed as dist

    return bool(dist.is_available() and dist.is_nccl_available())


# a build with NCCL cannot raise this error: skipped there (this module never exists)
REQUIRES = ("torch",) + (("kbfix_requires_torch_without_nccl",) if _nccl_built_in() else ())
FIXES = (0,)

SCRIPT = '''
import sys
import torch
import torch.distributed as dist

if sys.argv[1] == "pick":                       # fix 0: the backend this build has
    backend = "nccl" if dist.is_nccl_available() and torch.cuda.is_available() else "gloo"
else:
    backend = "nccl"                             # written for Linux multi-GPU servers
dist.init_process_group(backend)                 # env:// : RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the launcher
total = torch.ones(1)
dist.all_reduce(total)
print(f"backend {dist.get_backend()} rank {dist.get_rank()} of {dist.get_world_size()} sum {total.item():.0f}")
dist.destroy_process_group()
'''


def _run(mode):
    from kbfix.reproduce import one_rank_env, run_script

    return run_script(SCRIPT, args=(mode,), env=one_rank_env(), timeout=120)


def reproduce():
    return failed(_run("nccl"))


def fixed():
    return succeeded(_run("pick"), "backend gloo rank 0 of 1 sum 1")

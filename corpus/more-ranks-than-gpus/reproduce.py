"""Start one more rank than the node has GPUs with the real torchrun: the extra rank's
``torch.cuda.set_device(LOCAL_RANK)`` fails with ``CUDA error: invalid device ordinal`` and torchrun
reports the failed child (``ChildFailedError``).

reproduce() returns what the terminal shows (the ``[rankN]:`` traceback and the launcher's report);
fixed() starts ``--nproc_per_node`` = ``torch.cuda.device_count()`` ranks and the same job runs clean.
Needs a CUDA GPU and NCCL (``scripts/verify_gpu.py``).
"""

from kbfix.reproduce import torchrun

REQUIRES = ("torch",)
DEVICES = ("cuda",)
FIXES = (0,)

WORKER = '''
import os
import torch
import torch.distributed as dist

local_rank = int(os.environ["LOCAL_RANK"])
torch.cuda.set_device(local_rank)
dist.init_process_group("nccl")
total = torch.ones(1, device="cuda")
dist.all_reduce(total)
print(f"rank {dist.get_rank()} on cuda:{torch.cuda.current_device()} sum {total.item():.0f}")
dist.destroy_process_group()
'''


def reproduce():
    import torch

    code, output = torchrun(WORKER, torch.cuda.device_count() + 1)
    assert code != 0, output
    return output


def fixed():
    import torch

    code, output = torchrun(WORKER, torch.cuda.device_count())  # fix 0: one rank per visible GPU
    assert code == 0 and "rank 0 on cuda:0" in output, output
    return output

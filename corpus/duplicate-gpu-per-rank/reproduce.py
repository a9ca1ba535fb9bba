"""Two ranks that both call ``torch.cuda.set_device(0)``, started with the real torchrun on one GPU:
NCCL refuses the communicator at the first collective (``ncclInvalidUsage ... Duplicate GPU detected :
rank 1 and rank 0 both on CUDA device ...``).

reproduce() returns what the terminal shows; fixed() binds each rank to ``LOCAL_RANK`` and starts one
rank per visible GPU, and the same all-reduce runs clean. Needs a CUDA GPU and NCCL
(``scripts/verify_gpu.py``).
"""

from kbfix.reproduce import torchrun

REQUIRES = ("torch",)
DEVICES = ("cuda",)
FIXES = (0,)

WORKER = '''
import os
import torch
import torch.distributed as dist

torch.cuda.set_device(int(os.environ["LOCAL_RANK"]) if os.environ.get("BIND_LOCAL_RANK") else 0)
dist.init_process_group("nccl")
total = torch.ones(1, device="cuda")
dist.all_reduce(total)
torch.cuda.synchronize()
print(f"rank {dist.get_rank()} on cuda:{torch.cuda.current_device()} sum {total.item():.0f}")
dist.destroy_process_group()
'''


def reproduce():
    code, output = torchrun(WORKER, 2)
    assert code != 0, output
    return output


def fixed():
    import torch

    # fix 0: set_device(LOCAL_RANK) in every rank, and one rank per GPU
    code, output = torchrun(WORKER, torch.cuda.device_count(), {"BIND_LOCAL_RANK": "1"})
    assert code == 0 and "rank 0 on cuda:0" in output, output
    return output

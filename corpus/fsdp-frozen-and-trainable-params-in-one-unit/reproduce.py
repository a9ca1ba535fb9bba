"""The real FSDP (FSDP1, FullyShardedDataParallel) on CPU with gloo and one rank: one wrapped unit holding a frozen Linear
(the base weight) and a trainable Linear (a LoRA-style adapter). With use_orig_params=False,
FlatParamHandle._validate_tensors_to_flatten raises ``ValueError: Must flatten tensors with uniform `requires_grad` when
`use_orig_params=False```; fixed() wraps the same model with use_orig_params=True (fix 0). Each run is a fresh process
(kbfix.reproduce.run_script), so no process group leaks into the test process.
"""

from kbfix.reproduce import ONE_RANK_GLOO, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0,)

SCRIPT = ONE_RANK_GLOO + '''
import sys
import torch
import torch.distributed as dist
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

model = torch.nn.Module()
model.base = torch.nn.Linear(16, 16)
model.base.requires_grad_(False)             # frozen base weight
model.lora = torch.nn.Linear(16, 4, bias=False)   # trainable adapter
use_orig = sys.argv[1] == "orig"
try:
    wrapped = FSDP(model, device_id=torch.device("cpu"), use_orig_params=use_orig)
    print("FSDP wrapped the model; trainable:", sorted(n for n, p in wrapped.named_parameters() if p.requires_grad))
finally:
    dist.destroy_process_group()
'''


def reproduce():
    code, output = run_script(SCRIPT, args=("flat",), timeout=180)
    assert code != 0 and "uniform `requires_grad`" in output, output
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("orig",), timeout=180), "FSDP wrapped the model")

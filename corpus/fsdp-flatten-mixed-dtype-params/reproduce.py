"""The real FSDP (FSDP1, FullyShardedDataParallel) on CPU with gloo and one rank: a bf16 base layer with a LoRA-style
adapter created in fp32 (what get_peft_model does over a model loaded with torch_dtype=torch.bfloat16), wrapped as one
FSDP unit, so FlatParamHandle._validate_tensors_to_flatten raises ``ValueError: Must flatten tensors with uniform dtype
but got torch.bfloat16 and torch.float32``. A QLoRA-like unit whose first parameter is stored as uint8 raises
``Cannot flatten integer dtype tensors`` in the same function.

fixed() casts the whole model to bf16 before wrapping (fix 0): FSDP wraps it. Each run is a fresh process
(kbfix.reproduce.run_script), so the process group never leaks into the test process.
"""

from kbfix.reproduce import ONE_RANK_GLOO, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0,)

SCRIPT = ONE_RANK_GLOO + '''
import sys
import torch
import torch.distributed as dist
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP


class LoraLinear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.base_layer = torch.nn.Linear(16, 16).to(torch.bfloat16)      # from_pretrained(..., torch_dtype=bf16)
        self.lora_A = torch.nn.Linear(16, 4, bias=False)                   # adapters created in fp32
        self.lora_B = torch.nn.Linear(4, 16, bias=False)

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(x.float())).to(x.dtype)


mode = sys.argv[1]
try:
    if mode == "qlora-uint8":
        model = torch.nn.Module()
        model.weight = torch.nn.Parameter(torch.zeros(128, dtype=torch.uint8), requires_grad=False)  # packed 4-bit
        model.lora_A = torch.nn.Linear(16, 4, bias=False).to(torch.bfloat16)
    else:
        model = LoraLinear()
        if mode == "cast":
            model.to(torch.bfloat16)                                   # fix: one dtype before wrapping
    print("dtypes before wrapping:", sorted(str(p.dtype) for p in {p.dtype: p for p in model.parameters()}.values()))
    wrapped = FSDP(model, device_id=torch.device("cpu"))
    print("FSDP wrapped the model:", {p.dtype for p in wrapped.parameters()})
finally:
    dist.destroy_process_group()
'''


def reproduce():
    code, output = run_script(SCRIPT, args=("mixed",), timeout=180)
    assert code != 0 and "Must flatten tensors with uniform dtype" in output, output
    code, qlora = run_script(SCRIPT, args=("qlora-uint8",), timeout=180)
    assert code != 0 and "Cannot flatten integer dtype tensors" in qlora, qlora
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("cast",), timeout=180), "FSDP wrapped the model: {torch.bfloat16}")

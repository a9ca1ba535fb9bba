"""ZeRO-3 on the real deepspeed.initialize (CPU, gloo, one rank): the model was loaded in bf16 but a head
added afterwards is fp32, and the DeepSpeed config has no bf16 section (fp32 mode), so the trainable
parameters reach ZeRO-3's flattening (defragment) in two dtypes.
fixed() enables bf16 in the DeepSpeed config ("bf16": {"enabled": true}, what --bf16 / "auto" gives with
the HF Trainer): DeepSpeed casts every parameter to bf16 before partitioning.
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "zero_optimization": {"stage": 3},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


def _model():
    import torch

    backbone = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8))
    backbone.to(torch.bfloat16)            # from_pretrained(..., torch_dtype=torch.bfloat16)
    head = torch.nn.Linear(8, 1)           # a value head / classifier added afterwards: fp32
    return torch.nn.Sequential(backbone, head)


def _initialize(config):
    """deepspeed.initialize in this process as rank 0 of 1; the process group is torn down afterwards."""
    import deepspeed
    import torch

    with deepspeed_rank():
        model = _model()
        engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
        return {p.dtype for p in engine.module.parameters()}


def reproduce():
    _initialize(CONFIG)


def fixed():
    import torch

    dtypes = _initialize(dict(CONFIG, bf16={"enabled": True}))
    assert dtypes == {torch.bfloat16}, dtypes

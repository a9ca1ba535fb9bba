"""ZeRO-3 on the real deepspeed.initialize (CPU, gloo, one rank): the model was loaded in bf16 but a head
added afterwards is fp32, and the DeepSpeed config has no bf16 section (fp32 mode), so the trainable
parameters reach ZeRO-3's flattening (defragment) in two dtypes.
fixed() enables bf16 in the DeepSpeed config ("bf16": {"enabled": true}, what --bf16 / "auto" gives with
the HF Trainer): DeepSpeed casts every parameter to bf16 before partitioning.
"""

from kbfix.reproduce import one_rank_env

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
    import os

    import deepspeed
    import deepspeed.comm.comm as ds_comm
    import torch

    env = one_rank_env()
    saved_env = {k: os.environ.get(k) for k in env}
    # DeepSpeed's CPU shared-memory allreduce kernel is a JIT C++ build (a minute); it plays no part here
    saved_ops = dict(deepspeed.ops.__compatible_ops__)
    deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
    os.environ.update(env)
    try:
        model = _model()
        engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
        return {p.dtype for p in engine.module.parameters()}
    finally:
        if ds_comm.cdb is not None and ds_comm.is_initialized():
            ds_comm.destroy_process_group()  # also drops DeepSpeed's cached groups
        elif torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        ds_comm.cdb = None
        deepspeed.ops.__compatible_ops__.clear()
        deepspeed.ops.__compatible_ops__.update(saved_ops)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def reproduce():
    _initialize(CONFIG)


def fixed():
    import torch

    dtypes = _initialize(dict(CONFIG, bf16={"enabled": True}))
    assert dtypes == {torch.bfloat16}, dtypes

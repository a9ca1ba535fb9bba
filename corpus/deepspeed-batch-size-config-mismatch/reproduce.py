"""A DeepSpeed config written for 8 GPUs (train_batch_size 16 = 2 per GPU x 1 step x 8 ranks) started on
one process: the real deepspeed.initialize on CPU (gloo, world size 1) fails its batch assertion.
fixed() leaves train_batch_size out (DeepSpeed derives it), as "auto" does with the HF Trainer.
"""

from kbfix.reproduce import one_rank_env

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG_FOR_8_GPUS = {
    "train_batch_size": 16,
    "train_micro_batch_size_per_gpu": 2,
    "gradient_accumulation_steps": 1,
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


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
        model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 2))
        engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
        return engine.train_batch_size()
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
    _initialize(CONFIG_FOR_8_GPUS)


def fixed():
    config = {k: v for k, v in CONFIG_FOR_8_GPUS.items() if k != "train_batch_size"}
    assert _initialize(config) == 2 * 1 * 1  # micro batch x accumulation x world size

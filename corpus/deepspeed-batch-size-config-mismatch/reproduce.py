"""A DeepSpeed config written for 8 GPUs (train_batch_size 16 = 2 per GPU x 1 step x 8 ranks) started on
one process: the real deepspeed.initialize on CPU (gloo, world size 1) fails its batch assertion.
fixed() leaves train_batch_size out (DeepSpeed derives it), as "auto" does with the HF Trainer.
"""

from kbfix.reproduce import deepspeed_rank

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
    import deepspeed
    import torch

    with deepspeed_rank():
        model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 2))
        engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
        return engine.train_batch_size()


def reproduce():
    _initialize(CONFIG_FOR_8_GPUS)


def fixed():
    config = {k: v for k, v in CONFIG_FOR_8_GPUS.items() if k != "train_batch_size"}
    assert _initialize(config) == 2 * 1 * 1  # micro batch x accumulation x world size

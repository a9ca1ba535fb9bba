"""A teacher (or reference) model created under ZeRO-3's zero.Init, as transformers' from_pretrained does
when a ZeRO-3 config is active (HfDeepSpeedConfig / accelerate's zero3_init_flag), then called directly:
its parameters are still partitioned placeholders, so the embedding lookup sees an empty weight.
Real deepspeed.zero.Init on CPU (gloo, one rank).
fixed() hands the teacher to deepspeed.initialize as well (an engine without optimizer): the engine
gathers each module's parameters around its forward.
"""

from contextlib import contextmanager

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG = {"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 3}}


@contextmanager
def _process_group():
    """This process as rank 0 of 1 for DeepSpeed, its process group started; torn down (env, groups) on exit."""
    import deepspeed

    with deepspeed_rank():
        deepspeed.init_distributed(dist_backend="gloo")
        yield


def _teacher():
    import deepspeed
    import torch

    with deepspeed.zero.Init(config_dict_or_path=CONFIG):
        return torch.nn.Sequential(torch.nn.Embedding(32, 8), torch.nn.Linear(8, 32))


def reproduce():
    import torch

    with _process_group():
        teacher = _teacher()
        with torch.no_grad():
            teacher(torch.tensor([[1, 2, 3]]))  # teacher logits for distillation, outside any engine


def fixed():
    import deepspeed
    import torch

    with _process_group():
        teacher = _teacher()
        engine, *_ = deepspeed.initialize(model=teacher, config=CONFIG)
        engine.eval()
        with torch.no_grad():
            logits = engine(torch.tensor([[1, 2, 3]]))
        assert tuple(logits.shape) == (1, 3, 32), logits.shape

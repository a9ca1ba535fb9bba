"""A teacher (or reference) model created under ZeRO-3's zero.Init, as transformers' from_pretrained does
when a ZeRO-3 config is active (HfDeepSpeedConfig / accelerate's zero3_init_flag), then called directly:
its parameters are still partitioned placeholders, so the embedding lookup sees an empty weight.
Real deepspeed.zero.Init on CPU (gloo, one rank).
fixed() hands the teacher to deepspeed.initialize as well (an engine without optimizer): the engine
gathers each module's parameters around its forward.
"""

from kbfix.reproduce import one_rank_env

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG = {"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 3}}


class _ProcessGroup:
    """This process as rank 0 of 1 for DeepSpeed; torn down (env, groups) on exit."""

    def __enter__(self):
        import os

        import deepspeed

        env = one_rank_env()
        self.saved_env = {k: os.environ.get(k) for k in env}
        # DeepSpeed's CPU shared-memory allreduce kernel is a JIT C++ build (a minute); it plays no part here
        self.saved_ops = dict(deepspeed.ops.__compatible_ops__)
        deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
        os.environ.update(env)
        deepspeed.init_distributed(dist_backend="gloo")
        return self

    def __exit__(self, *exc):
        import os

        import deepspeed
        import deepspeed.comm.comm as ds_comm
        import torch

        if ds_comm.cdb is not None and ds_comm.is_initialized():
            ds_comm.destroy_process_group()  # also drops DeepSpeed's cached groups
        elif torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        ds_comm.cdb = None
        deepspeed.ops.__compatible_ops__.clear()
        deepspeed.ops.__compatible_ops__.update(self.saved_ops)
        for k, v in self.saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return False


def _teacher():
    import deepspeed
    import torch

    with deepspeed.zero.Init(config_dict_or_path=CONFIG):
        return torch.nn.Sequential(torch.nn.Embedding(32, 8), torch.nn.Linear(8, 32))


def reproduce():
    import torch

    with _ProcessGroup():
        teacher = _teacher()
        with torch.no_grad():
            teacher(torch.tensor([[1, 2, 3]]))  # teacher logits for distillation, outside any engine


def fixed():
    import deepspeed
    import torch

    with _ProcessGroup():
        teacher = _teacher()
        engine, *_ = deepspeed.initialize(model=teacher, config=CONFIG)
        engine.eval()
        with torch.no_grad():
            logits = engine(torch.tensor([[1, 2, 3]]))
        assert tuple(logits.shape) == (1, 3, 32), logits.shape

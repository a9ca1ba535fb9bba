"""A ZeRO-2 checkpoint saved by 2 ranks, resumed by 1: the real DeepSpeed engine on CPU (gloo).

The two saving ranks are forked processes; the resuming rank is this process. reproduce() raises
DeepSpeed's ZeRORuntimeException from load_checkpoint; fixed() converts the checkpoint with DeepSpeed's
own ds_to_universal and resumes it with "checkpoint": {"load_universal": true}.
"""

from kbfix.reproduce import free_port

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "zero_optimization": {"stage": 2},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


class _Rank:
    """This process as rank ``rank`` of ``world`` for DeepSpeed; torn down (env, groups) on exit."""

    def __init__(self, rank, world, port):
        self.env = dict(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                        LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world))

    def __enter__(self):
        import os

        import deepspeed

        self.saved_env = {k: os.environ.get(k) for k in self.env}
        # DeepSpeed's CPU shared-memory allreduce kernel is a JIT C++ build (a minute); it plays no part here
        self.saved_ops = dict(deepspeed.ops.__compatible_ops__)
        deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
        os.environ.update(self.env)
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


def _engine(config=CONFIG):
    import deepspeed
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 2))
    engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
    return engine


def _save_as_rank(rank, folder, port):
    with _Rank(rank, 2, port):
        _engine().save_checkpoint(folder, tag="global_step1")


def _checkpoint_from_two_gpus(folder):
    import multiprocessing

    with _Rank(0, 1, free_port()):
        _engine()  # the job on one GPU; also loads DeepSpeed's lazy imports once, before forking
    port = free_port()
    fork = multiprocessing.get_context("fork")
    ranks = [fork.Process(target=_save_as_rank, args=(rank, folder, port)) for rank in (0, 1)]
    for process in ranks:
        process.start()
    for process in ranks:
        process.join(60)
    assert all(p.exitcode == 0 for p in ranks), [p.exitcode for p in ranks]


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _checkpoint_from_two_gpus(folder)
        with _Rank(0, 1, free_port()):
            _engine().load_checkpoint(folder, tag="global_step1")  # resume on one GPU


def fixed():
    import os
    import runpy
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _checkpoint_from_two_gpus(folder)
        argv = sys.argv
        sys.argv = ["ds_to_universal", "--input_folder", os.path.join(folder, "global_step1"),
                    "--output_folder", os.path.join(folder, "global_step1_universal"),
                    "--num_extract_workers", "1", "--num_merge_workers", "1", "--inject_missing_state"]
        try:
            runpy.run_module("deepspeed.checkpoint.ds_to_universal", run_name="__main__")
        finally:
            sys.argv = argv
        with _Rank(0, 1, free_port()):
            engine = _engine(dict(CONFIG, checkpoint={"load_universal": True}))
            path, _ = engine.load_checkpoint(folder, tag="global_step1_universal")
            assert path is not None

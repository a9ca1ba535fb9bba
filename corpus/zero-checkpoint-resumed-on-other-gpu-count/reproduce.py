"""A ZeRO-2 checkpoint saved by 2 ranks, resumed by 1: the real DeepSpeed engine on CPU (gloo).

The two saving ranks are forked processes; the resuming rank is this process. reproduce() raises
DeepSpeed's ZeRORuntimeException from load_checkpoint; fixed() converts the checkpoint with DeepSpeed's
own ds_to_universal and resumes it with "checkpoint": {"load_universal": true}.
"""

from kbfix.reproduce import deepspeed_rank, free_port, rank_env

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "zero_optimization": {"stage": 2},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


def _rank(rank, world, port):
    """This process as rank ``rank`` of ``world`` for DeepSpeed; torn down (env, groups) on exit."""
    return deepspeed_rank(rank_env(rank, world, port))


def _engine(config=CONFIG):
    import deepspeed
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 2))
    engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
    return engine


def _save_as_rank(rank, folder, port):
    with _rank(rank, 2, port):
        _engine().save_checkpoint(folder, tag="global_step1")


def _checkpoint_from_two_gpus(folder):
    import multiprocessing

    with _rank(0, 1, free_port()):
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
        with _rank(0, 1, free_port()):
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
        with _rank(0, 1, free_port()):
            engine = _engine(dict(CONFIG, checkpoint={"load_universal": True}))
            path, _ = engine.load_checkpoint(folder, tag="global_step1_universal")
            assert path is not None

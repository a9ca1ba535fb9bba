"""A ZeRO-2 checkpoint of a 2-rank run whose "nodes" each saved to their own local disk: the real DeepSpeed engine
on CPU (gloo), one training step, then save_checkpoint.

The two ranks are forked processes standing for two nodes of one GPU each: rank 0 saves under ``node0/ckpt`` and
rank 1 under ``node1/ckpt`` (the same ``--save`` path on two machines' own disks). reproduce() converts the main
node's folder with DeepSpeed's own zero_to_fp32 (get_fp32_state_dict_from_zero_checkpoint) and gets its
"Expected 2 of '*_optim_states.pt' ... but found 1 files" ValueError. fixed() applies fix 0 (both ranks save to one
folder that both nodes mount) and fix 1 (the other node's files of the step copied into the main node's folder, what
``rsync -a node1:ckpt/global_step1/ ckpt/global_step1/`` does): two optimizer files are there each time and the
conversion gives every parameter.
"""

from kbfix.reproduce import deepspeed_rank, free_port, rank_env

REQUIRES = ("torch", "deepspeed")
FIXES = (0, 1)

TAG = "global_step1"
CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "zero_optimization": {"stage": 2},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


def _rank(rank, world, port):
    """This process as rank ``rank`` of ``world`` for DeepSpeed; torn down (env, groups) on exit."""
    return deepspeed_rank(rank_env(rank, world, port))


def _engine():
    import deepspeed
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 2))
    engine, *_ = deepspeed.initialize(model=model, config=CONFIG, model_parameters=model.parameters())
    return engine


def _train_and_save_as_rank(rank, disks, port, shared):
    """One training step as rank ``rank`` of 2, then save_checkpoint to this node's own disk (or, ``shared``, to
    the folder on storage both nodes mount)."""
    import os

    import torch

    with _rank(rank, 2, port):
        engine = _engine()
        torch.manual_seed(rank)
        loss = engine(torch.randn(1, 8)).pow(2).mean()
        engine.backward(loss)
        engine.step()
        engine.save_checkpoint(os.path.join(disks, "shared" if shared else f"node{rank}", "ckpt"), tag=TAG)


def _two_node_run(disks, shared=False):
    """The run on two nodes; the checkpoint folder the main node sees (its own disk's, or the shared one)."""
    import multiprocessing
    import os

    with _rank(0, 1, free_port()):
        _engine()  # loads DeepSpeed's lazy imports once, before forking
    port = free_port()
    fork = multiprocessing.get_context("fork")
    ranks = [fork.Process(target=_train_and_save_as_rank, args=(rank, disks, port, shared)) for rank in (0, 1)]
    for process in ranks:
        process.start()
    for process in ranks:
        process.join(120)
    assert all(p.exitcode == 0 for p in ranks), [p.exitcode for p in ranks]
    return os.path.join(disks, "shared" if shared else "node0", "ckpt")


def _convert(checkpoint_dir):
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

    return get_fp32_state_dict_from_zero_checkpoint(checkpoint_dir, tag=TAG)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as disks:
        _convert(_two_node_run(disks))  # on the main node: rank 1's optimizer partition is on node1's disk


def _converted(checkpoint_dir):
    """zero_to_fp32 of a checkpoint folder that must hold both ranks' optimizer files: a line saying so."""
    import glob
    import os

    found = len(glob.glob(os.path.join(checkpoint_dir, TAG, "*optim_states.pt")))
    assert found == 2, found
    state_dict = _convert(checkpoint_dir)
    assert sorted(state_dict) == ["0.bias", "0.weight", "1.bias", "1.weight"], sorted(state_dict)
    return f"{found} optimizer files in {TAG}; zero_to_fp32 gave {len(state_dict)} fp32 tensors\n"


def fixed():
    import os
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as disks:  # fix 0: both nodes save to storage they both mount
        shared = "both ranks saved to the shared folder: " + _converted(_two_node_run(disks, shared=True))
    with tempfile.TemporaryDirectory() as disks:  # fix 1: gather node1's files of the step on the main node
        checkpoint_dir = _two_node_run(disks)
        # rsync -a node1:ckpt/global_step1/ ckpt/global_step1/
        shutil.copytree(os.path.join(disks, "node1", "ckpt", TAG), os.path.join(checkpoint_dir, TAG),
                        dirs_exist_ok=True)
        gathered = "node1's files copied to the main node: " + _converted(checkpoint_dir)
    return shared + gathered

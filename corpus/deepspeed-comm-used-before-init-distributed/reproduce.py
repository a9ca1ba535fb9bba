"""A script that sets up torch.distributed itself (one gloo rank on the CPU) and then asks DeepSpeed's communication
module for its rank, as GLM / CogView's initialize_distributed does through deepspeed.checkpointing.configure():
DeepSpeed's own backend (deepspeed.comm's cdb) was never created, so get_rank() fails its assertion.

fixed() applies fix 0: deepspeed.init_distributed() in place of torch.distributed.init_process_group(); DeepSpeed then
creates its backend and get_rank() / get_world_size() answer.
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)


def reproduce():
    import deepspeed.comm as dist
    import torch

    with deepspeed_rank():
        torch.distributed.init_process_group(backend="gloo")  # the script's own initialize_distributed()
        dist.get_rank()  # deepspeed.checkpointing.configure() -> _configure_using_config_file() does this


def fixed():
    import deepspeed
    import deepspeed.comm as dist

    with deepspeed_rank():
        deepspeed.init_distributed(dist_backend="gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    assert (rank, world) == (0, 1), (rank, world)
    return f"deepspeed.init_distributed(): rank {rank} of {world}\n"

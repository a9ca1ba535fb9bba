"""Real DistributedDataParallel on CPU (gloo, one rank) around a model whose blocks use reentrant
activation checkpointing, wrapped with find_unused_parameters=True (ddp_find_unused_parameters: true):
the reentrant backward fires DDP's gradient hooks a second time and the reducer refuses.
fixed() checkpoints with use_reentrant=False (gradient_checkpointing_kwargs={"use_reentrant": False}).
"""

REQUIRES = ("torch",)
FIXES = (0,)


def _train_steps(use_reentrant):
    import torch
    import torch.distributed as dist
    from torch.utils.checkpoint import checkpoint

    class Blocks(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(torch.nn.Linear(8, 8) for _ in range(3))

        def forward(self, x):
            for layer in self.layers:  # what model.gradient_checkpointing_enable() does per decoder layer
                x = checkpoint(layer, x, use_reentrant=use_reentrant)
            return x

    # an in-memory store: one rank needs no rendezvous through files or ports
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        model = torch.nn.parallel.DistributedDataParallel(Blocks(), find_unused_parameters=True)
        inputs = torch.randn(4, 8, requires_grad=True)  # enable_input_require_grads()
        for _ in range(2):
            model(inputs).pow(2).mean().backward()
    finally:
        dist.destroy_process_group()


def reproduce():
    _train_steps(use_reentrant=True)


def fixed():
    _train_steps(use_reentrant=False)

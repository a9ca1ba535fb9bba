"""A tiny model whose lm_head reuses the embedding weight is sharded the way accelerate's fsdp2_prepare_model did
before PR #4171: the embedding and the final norm in one fully_shard group, lm_head left to the root group. torch
>= 2.13 rejects the shared parameter at the first forward. A one-rank gloo group on the CPU is enough; the fix
puts the tied modules in one group."""

import os

from kbfix.reproduce import free_port, release_within

REQUIRES = ("torch",) + (() if release_within("torch", (2, 13)) else ("kbfix_requires_torch_2_13",))
FIXES = (1,)


def _tied_model():
    import torch

    class TiedLM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(32, 8)
            self.norm = torch.nn.LayerNorm(8)
            self.lm_head = torch.nn.Linear(8, 32, bias=False)
            self.lm_head.weight = self.embed.weight  # tie_word_embeddings

        def forward(self, ids):
            return self.lm_head(self.norm(self.embed(ids)))

    return TiedLM()


def _run(groups):
    import torch
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = free_port()
    dist.init_process_group(backend="gloo", rank=0, world_size=1)
    try:
        mesh = init_device_mesh("cpu", (1,))
        model = _tied_model()
        fully_shard(groups(model), mesh=mesh)
        fully_shard(model, mesh=mesh)
        model(torch.tensor([[1, 2, 3]]))
    finally:
        dist.destroy_process_group()


def reproduce():
    _run(lambda model: [model.norm, model.embed])  # lm_head stays in the root group


def fixed():
    _run(lambda model: [model.embed, model.norm, model.lm_head])

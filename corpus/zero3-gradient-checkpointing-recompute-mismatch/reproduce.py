"""DeepSpeed ZeRO-3 + non-reentrant activation checkpointing, with ZeRO-3's parameter life cycle done by hooks.

ZeRO-3 keeps every parameter partitioned: outside its module's forward ``param.data`` is an empty tensor
(``torch.Size([0])``). A forward pre-hook all-gathers it (``param.data = <full tensor>``), a forward post-hook
partitions it again (``param.data = torch.empty(0)``), and a hook on the module's output gathers it again before the
module's backward (DeepSpeed's ``PartitionedParameterCoordinator`` / ``PreBackwardFunction``). This file does the same
with plain module hooks on one CPU, so no DeepSpeed engine (several ranks, a GPU) is needed; the error is torch's own.

A frozen parameter (LoRA's base model, a norm weight) is saved by the op that uses it as a live reference, not a
detached copy. Under ``torch.utils.checkpoint(..., use_reentrant=False)`` the backward recomputes the block: the
pre-hook gathers, the op saves the parameter, the post-hook partitions it in place while the recompute goes on to the
next module, and torch's check of the recomputed tensors then sees ``torch.Size([0])`` where the forward saved the
full shape: ``CheckpointError: torch.utils.checkpoint: Recomputed values for the following tensors have different
metadata than during the forward pass``.

fixed() applies fix 0 (reentrant checkpointing: no metadata check, the gather-before-backward hook refills the
weight) and fix 1 (ZeRO-2: parameters are never partitioned).
"""

REQUIRES = ("torch",)
FIXES = (0, 1)


def _model(partitioned):
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(16)          # frozen, like the base model under LoRA
            self.proj = nn.Linear(16, 16)         # trainable
            self.norm.requires_grad_(False)

        def forward(self, x):
            return self.proj(self.norm(x))

    block = Block()
    if partitioned:
        full = {name: p.data.clone() for name, p in block.norm.named_parameters()}

        def gather(module, *args):
            for name, p in module.named_parameters():
                p.data = full[name]

        def release(module, inputs, output):
            for p in module.parameters():
                p.data = torch.empty(0, dtype=p.dtype, device=p.device)     # ZeRO-3 partitioned: shape [0]
            if output.requires_grad:
                output.register_hook(lambda grad: gather(module) or grad)  # gathered again before its backward
            return output

        block.norm.register_forward_pre_hook(gather)
        block.norm.register_forward_hook(release)
        release(block.norm, None, torch.empty(0))                          # partitioned outside its forward
    return block


def _step(partitioned, use_reentrant):
    import torch
    from torch.utils.checkpoint import checkpoint

    block = _model(partitioned)
    x = torch.randn(2, 16, requires_grad=True)
    out = checkpoint(block, x, use_reentrant=use_reentrant)
    out.sum().backward()
    return block.proj.weight.grad


def reproduce():
    _step(partitioned=True, use_reentrant=False)        # ZeRO-3 + gradient_checkpointing_kwargs={"use_reentrant": False}


def fixed():
    grad_reentrant = _step(partitioned=True, use_reentrant=True)     # fix 0: use_reentrant=True
    grad_zero2 = _step(partitioned=False, use_reentrant=False)       # fix 1: ZeRO-2, parameters not partitioned
    assert grad_reentrant is not None and grad_zero2 is not None
    assert (grad_reentrant - grad_zero2).abs().max().item() < 1e-5   # same gradients as without partitioning

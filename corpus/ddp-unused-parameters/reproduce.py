"""DDP (gloo, one CPU process) around a model with a head that never takes part in the loss."""

REQUIRES = ("torch",)
FIXES = (0, 1)


def _model():
    import torch
    from torch import nn

    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(8, 8)
            self.lm_head = nn.Linear(8, 4)
            self.value_head = nn.Linear(8, 1)  # only used in another stage of training

        def forward(self, x):
            return self.lm_head(torch.relu(self.body(x)))

    torch.manual_seed(0)
    return TwoHeads()


def _train(model, steps=2, **ddp_kwargs):
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    # an in-memory store: one rank needs no rendezvous through files or ports
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        ddp = DDP(model, **ddp_kwargs)
        optimizer = torch.optim.SGD([p for p in ddp.parameters() if p.requires_grad], lr=0.1)
        for _ in range(steps):  # the error surfaces at the start of the 2nd forward
            loss = ddp(torch.randn(4, 8)).pow(2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    finally:
        dist.destroy_process_group()


def reproduce():
    _train(_model())


def fixed():
    # fix 0: let DDP find the parameters that got no gradient in this iteration
    _train(_model(), find_unused_parameters=True)
    # fix 1: freeze what is not trained in this stage, so DDP does not wait for it
    model = _model()
    model.value_head.requires_grad_(False)
    _train(model)

"""accelerate's real DeepSpeed path on the CPU (one gloo rank, the DeepSpeed plugin left on "auto"): the model and
optimizer prepared without a DataLoader give DeepSpeed no micro batch size, and accelerate refuses them.

fixed() applies fix 0 (model, optimizer and a DataLoader with batch_size=2 in one prepare() call) and fix 1 (an
integer train_micro_batch_size_per_gpu set on the plugin before prepare(model, optimizer)): both build the engine.
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "accelerate", "deepspeed")
FIXES = (0, 1)


def _prepare(with_loader=False, micro=None):
    """accelerator.prepare under DeepSpeed ZeRO-2 as rank 0 of 1; the micro batch size DeepSpeed got."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import DeepSpeedPlugin

    with deepspeed_rank():
        accelerator = Accelerator(deepspeed_plugin=DeepSpeedPlugin(zero_stage=2))
        model = torch.nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        if micro is not None:
            accelerator.state.deepspeed_plugin.deepspeed_config["train_micro_batch_size_per_gpu"] = micro
        if with_loader:
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(8, 4)), batch_size=2)
            engine, _, _ = accelerator.prepare(model, optimizer, loader)
        else:
            engine, _ = accelerator.prepare(model, optimizer)
        return engine.train_micro_batch_size_per_gpu()


def reproduce():
    _prepare()


def fixed():
    together = _prepare(with_loader=True)
    by_hand = _prepare(micro=2)
    assert together == 2 and by_hand == 2, (together, by_hand)
    return (f"prepare(model, optimizer, dataloader): DeepSpeed micro batch {together}\n"
            f"train_micro_batch_size_per_gpu=2 set before prepare(model, optimizer): micro batch {by_hand}\n")

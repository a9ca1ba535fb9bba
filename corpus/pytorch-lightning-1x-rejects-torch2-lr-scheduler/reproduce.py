"""pytorch_lightning 1.8.3 with torch 2.x: torch's own LambdaLR fails Lightning's scheduler check.

pytorch_lightning 1.6.0-1.8.3 validate each scheduler with ``isinstance(scheduler, (_LRScheduler, ReduceLROnPlateau))``;
torch 2.0 made ``LRScheduler`` the base class, so ``LambdaLR`` is no longer an ``_LRScheduler`` and ``Trainer.fit`` raises
"The provided lr scheduler `LambdaLR` doesn't follow PyTorch's LRScheduler API" while setting up the optimizers.

pytorch_lightning is not a dependency of kbfix's test environment: ``scripts/verify.py --overlays`` installs OVERLAY
(no dependencies; torch, fsspec, PyYAML, tqdm, packaging and protobuf come from the environment). 1.8.3 imports
``pkg_resources`` (setuptools before 81) and ``tensorboardX``, hence those pins. fixed() applies fix 1: the same module
with ``lr_scheduler_step`` overridden, which Lightning's check accepts.
"""

from kbfix.reproduce import lightning_fit, release_within, tiny_lightning_regressor

# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "pytorch_lightning 1_6 to 1_8_3 with torch 2 or newer, see the docstring"
OVERLAY = ("pytorch-lightning==1.8.3", "lightning-utilities==0.11.9", "torchmetrics==0.11.0",
           "tensorboardX==2.6.2.2", "setuptools==69.5.1")
REQUIRES = ("torch", "pytorch_lightning", "pkg_resources", "tensorboardX") + (
    () if release_within("pytorch_lightning", (1, 6), (1, 8, 4)) and release_within("torch", (2, 0)) else (OLD,))
FIXES = (1,)


def _fit(override_step):
    import pytorch_lightning as pl
    import torch

    class ScheduledRegressor(tiny_lightning_regressor(pl)):
        def configure_optimizers(self):
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.9 ** step)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    class SteppedRegressor(ScheduledRegressor):
        def lr_scheduler_step(self, scheduler, optimizer_idx, metric):
            if metric is None:
                scheduler.step()
            else:
                scheduler.step(metric)

    return lightning_fit(pl, SteppedRegressor() if override_step else ScheduledRegressor(), steps=2)


def reproduce():
    _fit(override_step=False)


def fixed():
    trainer = _fit(override_step=True)
    lr = trainer.optimizers[0].param_groups[0]["lr"]
    assert abs(lr - 0.1 * 0.9 ** 2) < 1e-9, lr   # the scheduler really stepped twice
    return f"fit ran {trainer.global_step} steps, lr {lr:.4f}"

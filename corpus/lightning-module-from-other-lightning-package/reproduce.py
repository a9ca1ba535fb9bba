"""A LightningModule built on ``pytorch_lightning`` handed to a ``lightning.pytorch`` Trainer.

Both packages are installed side by side (the usual way this happens: a library pulls in one, the user's script imports
the other). They are two copies of the same code, so ``pytorch_lightning.LightningModule`` is not
``lightning.pytorch.LightningModule``: ``Trainer.fit`` refuses the model before the first step, with
"You passed a `pytorch_lightning` object (TinyRegressor) to a `lightning.pytorch` Trainer" (Lightning 2.1+; 2.0 says
"`model` must be a `LightningModule` or `torch._dynamo.OptimizedModule`, got `TinyRegressor`").

Neither package is a dependency of kbfix's test environment: ``scripts/verify.py --overlays`` installs OVERLAY (no
dependencies; torch, fsspec, PyYAML, tqdm and packaging come from the environment) on PYTHONPATH. fixed() applies fix 0:
the model and the Trainer from the same package.
"""

from kbfix.reproduce import lightning_fit, tiny_lightning_regressor

OVERLAY = ("lightning==2.5.5", "pytorch-lightning==2.5.5", "lightning-utilities==0.15.2", "torchmetrics==1.8.2")
REQUIRES = ("torch", "lightning", "pytorch_lightning")
FIXES = (0,)


def _fit(model):
    import lightning.pytorch as L

    lightning_fit(L, model, steps=1)


def reproduce():
    import pytorch_lightning

    _fit(tiny_lightning_regressor(pytorch_lightning)())   # model from pytorch_lightning, Trainer from lightning.pytorch


def fixed():
    import lightning.pytorch as L

    _fit(tiny_lightning_regressor(L)())                   # one package for both

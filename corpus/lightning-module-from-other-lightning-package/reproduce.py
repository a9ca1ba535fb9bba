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

OVERLAY = ("lightning==2.5.5", "pytorch-lightning==2.5.5", "lightning-utilities==0.15.2", "torchmetrics==1.8.2")
REQUIRES = ("torch", "lightning", "pytorch_lightning")
FIXES = (0,)


def _model(pl):
    import torch

    class TinyRegressor(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, batch_idx):
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    return TinyRegressor()


def _fit(model):
    import lightning.pytorch as L
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(8, 4), torch.randn(8, 1)), batch_size=4)
    trainer = L.Trainer(max_steps=1, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, loader)


def reproduce():
    import pytorch_lightning

    _fit(_model(pytorch_lightning))   # model from pytorch_lightning, Trainer from lightning.pytorch


def fixed():
    import lightning.pytorch as L

    _fit(_model(L))                   # one package for both

"""An old-style full training checkpoint (numpy scalar, argparse.Namespace) read back with torch>=2.6 defaults."""

import argparse
import os
import tempfile

REQUIRES = ("torch", "numpy")
FIXES = (0, 1)


def _old_checkpoint():
    import numpy as np
    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.randn(3, 4)).sum().backward()
    optimizer.step()
    path = os.path.join(tempfile.mkdtemp(), "last.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
                "best_acc": np.float64(0.91),                       # numpy scalar from a metric
                "args": argparse.Namespace(lr=1e-3, epochs=10)}, path)
    return path


def reproduce():
    import torch

    torch.load(_old_checkpoint(), map_location="cpu")  # weights_only=True is the default since 2.6


def fixed():
    import importlib

    import torch

    path = _old_checkpoint()
    # fix 0: allowlist exactly the globals the file needs (list them without unpickling anything)
    needed = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    allow = [getattr(importlib.import_module(name.rsplit(".", 1)[0]), name.rsplit(".", 1)[1]) for name in needed]
    import numpy as np

    allow.append(type(np.dtype(np.float64)))  # numpy.dtypes.Float64DType is built, not a GLOBAL: add it too
    with torch.serialization.safe_globals(allow):
        ckpt = torch.load(path, map_location="cpu")
    assert ckpt["epoch"] == 3 and ckpt["args"].epochs == 10

    # fix 1: convert once (this file is ours, so trusted) to plain tensors and Python values
    plain = {"model": ckpt["model"], "optimizer": ckpt["optimizer"], "epoch": ckpt["epoch"],
             "best_acc": float(ckpt["best_acc"]), "args": vars(ckpt["args"])}
    converted = path.replace(".pt", ".converted.pt")
    torch.save(plain, converted)
    again = torch.load(converted, map_location="cpu")           # default weights_only=True
    assert again["args"]["lr"] == 1e-3 and torch.equal(again["model"]["weight"], ckpt["model"]["weight"])

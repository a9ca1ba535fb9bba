"""Save a Lightning-style training checkpoint of a tiny network and pass the whole file to load_state_dict."""

REQUIRES = ("torch",)
FIXES = (0,)


def _net():
    import torch

    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def _save_training_checkpoint(path):
    import torch

    net = _net()
    optimizer = torch.optim.AdamW(net.parameters())
    torch.save({
        "epoch": 3,
        "global_step": 120,
        "pytorch-lightning_version": "2.4.0",
        "state_dict": {f"model.{k}": v for k, v in net.state_dict().items()},
        "loops": {},
        "callbacks": {},
        "optimizer_states": [optimizer.state_dict()],
        "lr_schedulers": [],
    }, path)


def reproduce():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "epoch=3-step=120.ckpt")
        _save_training_checkpoint(path)
        _net().load_state_dict(torch.load(path, map_location="cpu"))


def fixed():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "epoch=3-step=120.ckpt")
        _save_training_checkpoint(path)
        ckpt = torch.load(path, map_location="cpu")
        for key in ("state_dict", "model_state_dict", "model", "module", "net"):
            if isinstance(ckpt, dict) and key in ckpt and isinstance(ckpt[key], dict):
                ckpt = ckpt[key]
                break
        ckpt = {k.removeprefix("model."): v for k, v in ckpt.items()}
        result = _net().load_state_dict(ckpt)
        assert not result.missing_keys and not result.unexpected_keys

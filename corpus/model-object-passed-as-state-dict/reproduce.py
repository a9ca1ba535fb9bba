"""Save a fine-tuned module with torch.save(model) and load the file into load_state_dict."""

REQUIRES = ("torch",)
FIXES = (0,)


def _net():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def reproduce():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "finetuned.pt")
        torch.save(_net(), path)  # the whole module, not its state dict
        loaded = torch.load(path, map_location="cpu", weights_only=False)  # our own file
        _net().load_state_dict(loaded)


def fixed():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "finetuned.pt")
        trained = _net()
        torch.save(trained.state_dict(), path)  # fix 0: save the state dict
        model = _net()
        result = model.load_state_dict(torch.load(path, map_location="cpu"))
        assert not result.missing_keys and not result.unexpected_keys
        assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), trained.state_dict().values()))
        return str(result)

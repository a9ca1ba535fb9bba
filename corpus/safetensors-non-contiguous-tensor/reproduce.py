"""Save a state dict whose weight was assigned from a transpose (a strided view) with safetensors."""

REQUIRES = ("torch", "safetensors")
FIXES = (0, 1)


def _model(pack):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.ReLU(), torch.nn.Linear(6, 4))
    # a converted Conv1D-style weight stored as (in, out): transposing it gives a non-contiguous view
    conv1d_weight = torch.randn(6, 4)
    weight = conv1d_weight.T.contiguous() if pack else conv1d_weight.T
    model[2].weight = torch.nn.Parameter(weight)
    return model


def reproduce():
    import os
    import tempfile

    from safetensors.torch import save_file

    with tempfile.TemporaryDirectory() as folder:
        save_file(_model(pack=False).state_dict(), os.path.join(folder, "model.safetensors"))


def fixed():
    import os
    import tempfile

    import torch
    from safetensors.torch import load_file, save_file

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.safetensors")
        # fix 0: pack every tensor of the state dict before saving
        model = _model(pack=False)
        state_dict = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_file(state_dict, path)
        loaded = load_file(path)
        assert all(torch.equal(loaded[k], v) for k, v in model.state_dict().items())
        # fix 1: make the weight contiguous where the transpose is taken
        save_file(_model(pack=True).state_dict(), path)

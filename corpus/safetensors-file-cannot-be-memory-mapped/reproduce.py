"""Open a model folder with safetensors' safe_open, as a loader that expects one .safetensors file does.

safetensors memory-maps the path it opens; mmap(2) on a directory fails with ENODEV, which Rust reports as
"No such device (os error 19)" - the same error a filesystem without mmap support gives for a real file (that case
needs such a mount, which a test machine does not have). The fix points the loader at the file inside the folder.
"""

REQUIRES = ("safetensors", "torch")
FIXES = (0,)


def _model_folder(root):
    import os

    import torch
    from safetensors.torch import save_file

    folder = os.path.join(root, "chroma_hd", "transformer")
    os.makedirs(folder)
    weights = os.path.join(folder, "diffusion_pytorch_model.safetensors")
    save_file({"proj_out.weight": torch.zeros(4, 4)}, weights)
    return os.path.join(root, "chroma_hd"), weights


def reproduce():
    import tempfile

    from safetensors.torch import load_file

    with tempfile.TemporaryDirectory() as root:
        folder, _ = _model_folder(root)
        load_file(folder, device="cpu")


def fixed():
    import tempfile

    from safetensors.torch import load_file

    with tempfile.TemporaryDirectory() as root:
        _, weights = _model_folder(root)
        state_dict = load_file(weights, device="cpu")
        assert list(state_dict) == ["proj_out.weight"]

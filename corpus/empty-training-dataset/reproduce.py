"""An image-folder dataset that only lists ``*.jpg`` files, given a folder of ``.png`` files.

The dataset has length 0, and the real ``DataLoader(shuffle=True)`` refuses to build its
``RandomSampler``: ``num_samples should be a positive integer value, but got num_samples=0``.
"""

REQUIRES = ("torch",)
FIXES = (0, 1)


def _folder(root):
    import os

    for i in range(4):
        with open(os.path.join(root, f"img_{i}.png"), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
    return root


def _dataset(root, suffixes):
    import pathlib

    import torch

    class ImageFolder(torch.utils.data.Dataset):
        def __init__(self):
            self.files = sorted(f for f in pathlib.Path(root).iterdir() if f.suffix.lower() in suffixes)

        def __len__(self):
            return len(self.files)

        def __getitem__(self, i):
            return torch.zeros(3)

    return ImageFolder()


def reproduce():
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as root:
        train = _dataset(_folder(root), {".jpg"})
        torch.utils.data.DataLoader(train, batch_size=2, shuffle=True)


def fixed():
    import collections
    import pathlib
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as root:
        _folder(root)
        # fix 0: the folder holds .png files, not .jpg
        kinds = collections.Counter(f.suffix for f in pathlib.Path(root).iterdir())
        assert kinds == {".png": 4}, kinds
        # fix 1: accept the files that are there, and check the length before training
        train = _dataset(root, {".jpg", ".jpeg", ".png"})
        assert len(train) > 0, "no training files"
        batch = next(iter(torch.utils.data.DataLoader(train, batch_size=2, shuffle=True)))
        assert batch.shape == (2, 3)

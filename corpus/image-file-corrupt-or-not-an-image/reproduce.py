"""An image dataset whose folder holds one JPEG cut off in the middle (an interrupted download) and one git-lfs
pointer saved as ``.png``. A map-style torch Dataset opens each file the way torchvision's ``pil_loader`` and most
fine-tuning loaders do (``Image.open(path).convert("RGB")``), and a DataLoader reads the epoch: the real Pillow raises
``OSError: image file is truncated (N bytes not processed)`` on the cut JPEG (the pointer, next in the epoch, raises
``PIL.UnidentifiedImageError: cannot identify image file``; the scan of fix 0 meets both). The images are drawn with
Pillow itself; nothing is downloaded.

fixed(): fix 0 scans the folder with a full decode, copies the cut file again from its intact source and drops the
pointer from the sample list; fix 1 (``ImageFile.LOAD_TRUNCATED_IMAGES = True``) then also loads a cut file that was
kept. Both epochs read every remaining sample.
"""

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("pillow==11.3.0",)
REQUIRES = ("PIL", "torch")
FIXES = (0, 1)

POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 48213\n"
)


def _jpeg_bytes(seed):
    """A real 64x64 JPEG with varied content (so that a cut loses real scan data)."""
    import io

    from PIL import Image

    im = Image.new("RGB", (64, 64))
    im.putdata([((x * 7 + seed) % 256, (y * 5 + seed) % 256, ((x ^ y) * 3) % 256) for y in range(64) for x in range(64)])
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _write_folder(folder):
    """good.jpg, cut.jpg (first half of a JPEG), pointer.png (a git-lfs pointer); returns the intact bytes of cut.jpg."""
    import os

    intact = _jpeg_bytes(11)
    with open(os.path.join(folder, "good.jpg"), "wb") as f:
        f.write(_jpeg_bytes(3))
    with open(os.path.join(folder, "cut.jpg"), "wb") as f:
        f.write(intact[: len(intact) // 2])  # what an interrupted download leaves
    with open(os.path.join(folder, "pointer.png"), "w", encoding="utf-8") as f:
        f.write(POINTER)  # what `git clone` without git-lfs leaves
    return intact


class _ImageFolderDataset:
    """Map-style dataset, loading like torchvision's pil_loader."""

    def __init__(self, paths):
        self.paths = list(paths)

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, idx):
        import torch
        from PIL import Image

        with open(self.paths[idx], "rb") as f:
            img = Image.open(f)
            img = img.convert("RGB")
        return torch.tensor(list(img.getdata()[0]))


def _epoch(paths):
    import torch

    loader = torch.utils.data.DataLoader(_ImageFolderDataset(paths), batch_size=1, num_workers=0)
    return sum(1 for _ in loader)


def _scan(paths):
    """Fix 0: a full decode of every file, before training."""
    from PIL import Image

    bad = []
    for p in paths:
        try:
            with Image.open(p) as im:
                im.convert("RGB")
        except Exception:  # OSError, UnidentifiedImageError
            bad.append(p)
    return bad


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _write_folder(folder)
        paths = [os.path.join(folder, n) for n in ("good.jpg", "cut.jpg", "pointer.png")]
        _epoch(paths)


def fixed():
    import os
    import tempfile

    from PIL import ImageFile

    lines = []
    with tempfile.TemporaryDirectory() as folder:
        intact = _write_folder(folder)
        paths = [os.path.join(folder, n) for n in ("good.jpg", "cut.jpg", "pointer.png")]
        bad = _scan(paths)
        lines.append(f"scan: {len(bad)} unreadable file(s): {', '.join(os.path.basename(p) for p in bad)}")
        # fix 0: copy the cut file again from its intact source, drop the pointer (it has no image to restore)
        with open(os.path.join(folder, "cut.jpg"), "wb") as f:
            f.write(intact)
        kept = [p for p in paths if not p.endswith("pointer.png")]
        assert not _scan(kept)
        lines.append(f"after re-download and cleanup: epoch read {_epoch(kept)} samples")
        # fix 1: a cut file kept in the data loads once LOAD_TRUNCATED_IMAGES is set
        with open(os.path.join(folder, "cut.jpg"), "wb") as f:
            f.write(intact[: len(intact) // 2])
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            lines.append(f"with LOAD_TRUNCATED_IMAGES: epoch read {_epoch(kept)} samples")
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = False
    return "\n".join(lines) + "\n"

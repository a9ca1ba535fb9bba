"""A training CSV written the usual way (comma-separated, header ``filepath,title``, as pandas' ``to_csv`` writes it) is
given to open_clip's trainer without ``--csv-separator``. The arguments come from open_clip's own parser
(``open_clip_train.params.parse_args``), whose ``--csv-separator`` defaults to a tab, and ``get_csv_dataset`` builds the
real ``CsvDataset``: pandas reads the whole line ``filepath,title`` as one column, so ``df[img_key]`` raises the real
``KeyError: 'filepath'``.
fixed() applies fix 0: the same arguments with ``--csv-separator ,``; the dataset reads both columns and the
DataLoader yields a batch of the two images with their tokenized captions.

Two 8x8 images and the CSV are written in a temporary folder; nothing is downloaded (open_clip's tokenizer vocabulary
ships in the wheel). open_clip is not in the test environment, so this runs in an overlay of the release it was verified
with (open_clip_torch 2.32.0, whose wheel ships ``open_clip_train``, without its dependencies): ``open_clip_train.data``
imports torchvision, webdataset and braceexpand at module level; the registry has no torchvision built for a CPU-only
torch 2.13, so the overlay holds torchvision 0.15.2, whose pure-Python transforms import and run (its compiled ops fail
to load, with a warning, and are not used). Elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("open_clip_torch==2.32.0", "torchvision==0.15.2", "pillow==13.0.0", "ftfy==6.3.1",
           "webdataset==1.0.2", "braceexpand==0.1.7")
# open_clip_train ships in the wheel from 2.26 (pyproject build, #909); CsvDataset and --csv-separator are unchanged
# from 2.0 to 3.x (src/training/data.py before)
REQUIRES = ("torch", "torchvision", "open_clip", "open_clip_train", "webdataset", "pandas") + (
    () if release_within("open_clip_torch", (2, 26), (3, 0)) else ("kbfix_requires_open_clip_torch_2_26_to_2_32",))
FIXES = (0,)


def _dataset(folder, *extra):
    """open_clip's CSV training data, built from the arguments its own parser gives ``python -m open_clip_train.main``."""
    import open_clip
    from open_clip_train.data import get_csv_dataset
    from open_clip_train.params import parse_args
    from PIL import Image

    rows = ["filepath,title"]
    for i, colour in enumerate(("red", "blue")):
        path = os.path.join(folder, f"{colour}.png")
        Image.new("RGB", (8, 8), colour).save(path)
        rows.append(f"{path},a {colour} square")
    csv = os.path.join(folder, "train.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    args = parse_args(["--train-data", csv, "--csv-img-key", "filepath", "--csv-caption-key", "title",
                       "--batch-size", "2", "--workers", "0", *extra])
    args.distributed = False   # set by open_clip_train.main after parsing
    preprocess = open_clip.image_transform(8, is_train=True)
    return get_csv_dataset(args, preprocess, is_train=True, tokenizer=open_clip.tokenize)


def reproduce():
    # the separator is left at the parser's default, a tab
    with tempfile.TemporaryDirectory() as folder:
        _dataset(folder)


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        data = _dataset(folder, "--csv-separator", ",")
        images, texts = next(iter(data.dataloader))
    assert tuple(images.shape) == (2, 3, 8, 8) and texts.shape[0] == 2, (images.shape, texts.shape)
    return f"CsvDataset read 2 rows; first batch: images {tuple(images.shape)}, texts {tuple(texts.shape)}\n"

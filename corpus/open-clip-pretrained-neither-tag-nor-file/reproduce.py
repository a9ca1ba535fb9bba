"""A script copied from a project's README calls ``open_clip.create_model_and_transforms(model, pretrained=
"./pre/open_clip_pytorch_model.bin")`` from a working directory where that relative path does not exist: the value
is no pretrained tag open_clip registers for the model and no file, so open_clip's ``create_model`` logs and raises
its real ``RuntimeError: Pretrained weights (./pre/open_clip_pytorch_model.bin) not found for model ViT-T-32-tiny.
Available pretrained tags ([].``
fixed() applies fix 1: the checkpoint is there (saved here from the same architecture) and is passed by its absolute
path; the weights load into the model.

The model is a tiny CLIP (one layer, 32 wide) registered from a config file with ``open_clip.add_model_config``, so
nothing is downloaded. open_clip 2.x is verified with 2.32.0, installed in an overlay without its dependencies:
open_clip imports torchvision (for its image transforms) and the registry has no torchvision built for a CPU-only
torch 2.13, so the overlay holds torchvision 0.15.2, whose pure-Python modules import (its compiled ops fail to
load, with a warning) and are not used by ``create_model``; pillow and ftfy are torchvision's and open_clip's
import-time dependencies. Elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import OPEN_CLIP_OVERLAY, release_within, tiny_open_clip_config

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = OPEN_CLIP_OVERLAY
# open_clip 2.7 - 2.32 word it "Pretrained weights (...) not found for model ... Available pretrained tags";
# 3.x raises "Pretrained value '...' is not a known tag or valid file path"
REQUIRES = ("torch", "torchvision", "open_clip") + (
    () if release_within("open_clip_torch", (2, 7), (3, 0)) else ("kbfix_requires_open_clip_torch_2_7_to_2_32",))
FIXES = (0,)

MODEL = "ViT-T-32-tiny"


def _register(folder):
    """The tiny architecture as a model config open_clip knows by name (a project's own model_configs/*.json)."""
    tiny_open_clip_config(folder, MODEL, context_length=8)


def reproduce():
    import open_clip

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as root:
        _register(root)
        os.chdir(root)  # the README's relative path, from a directory that has no ./pre
        try:
            open_clip.create_model_and_transforms(MODEL, pretrained="./pre/open_clip_pytorch_model.bin")
        finally:
            os.chdir(here)


def fixed():
    import open_clip
    import torch

    with tempfile.TemporaryDirectory() as root:
        _register(root)
        # the checkpoint downloaded (here: saved from the same architecture) and passed by its absolute path
        torch.manual_seed(1)
        trained = open_clip.create_model(MODEL)
        checkpoint = os.path.abspath(os.path.join(root, "pre", "open_clip_pytorch_model.bin"))
        os.makedirs(os.path.dirname(checkpoint))
        torch.save(trained.state_dict(), checkpoint)
        assert os.path.isfile(checkpoint), checkpoint
        torch.manual_seed(2)
        model, _, preprocess = open_clip.create_model_and_transforms(MODEL, pretrained=checkpoint)
        same = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), trained.state_dict().values()))
        assert same, "the checkpoint's weights were not loaded"
    return f"Loading pretrained {MODEL} weights ({checkpoint}): the model holds the checkpoint's weights\n"

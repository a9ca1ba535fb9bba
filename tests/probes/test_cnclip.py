"""Original Chinese-CLIP .pt checkpoints: weights under "state_dict" with DDP's "module." prefix."""

import json

import pytest

from kbfix.introspect import inspect_paths

ARCHITECTURE = "checkpoint-size-mismatch-wrong-architecture"
# cn_clip/clip/model_configs/ViT-B-16.json and ViT-L-14.json
VIT_B_16 = {"embed_dim": 512, "image_resolution": 224, "vision_layers": 12, "vision_width": 768,
            "vision_patch_size": 16}
VIT_L_14 = {"embed_dim": 768, "image_resolution": 224, "vision_layers": 24, "vision_width": 1024,
            "vision_patch_size": 14}


@pytest.fixture(scope="module")
def large_checkpoint(tmp_path_factory):
    """The vision stem of a ViT-L/14 checkpoint as cn_clip saves it (real widths, few tensors)."""
    import torch

    width = 1024
    weights = {"module.visual.class_embedding": torch.zeros(width, dtype=torch.float16),
               "module.visual.conv1.weight": torch.zeros(width, 3, 14, 14, dtype=torch.float16),
               "module.visual.ln_pre.weight": torch.zeros(width, dtype=torch.float16)}
    weights.update({f"module.visual.transformer.resblocks.{i}.ln_1.weight": torch.zeros(width, dtype=torch.float16)
                    for i in range(24)})
    file = tmp_path_factory.mktemp("cnclip") / "epoch_latest.pt"
    torch.save({"epoch": 3, "step": 1200, "name": "muge_finetune", "state_dict": weights}, file)
    return file


def config(tmp_path, values):
    file = tmp_path / "vision.json"
    file.write_text(json.dumps(values))
    return file


def test_large_checkpoint_with_base_config(large_checkpoint, tmp_path):
    findings = inspect_paths([large_checkpoint, config(tmp_path, VIT_B_16)])
    size = next(f for f in findings if f.kind == "checkpoint-other-model-size")
    assert size.supports == (ARCHITECTURE,)
    assert size.facts["checkpoint"] == "Chinese-CLIP ViT-L/14 (1024 wide, patch 14)"
    assert size.facts["config"] == "Chinese-CLIP ViT-B/16 (768 wide, patch 16)"
    assert size.facts["nested_under"] == "state_dict" and size.facts["prefix"] == "module."
    assert size.facts["differ"]["vision_layers"] == {"config": 12, "checkpoint": 24}


def test_matching_config(large_checkpoint, tmp_path):
    findings = inspect_paths([large_checkpoint, config(tmp_path, VIT_L_14)])
    assert not any(f.supports for f in findings)
    assert any(ARCHITECTURE in f.refutes for f in findings)


def test_checkpoint_alone_is_identified(large_checkpoint):
    findings = inspect_paths([large_checkpoint])
    found = next(f for f in findings if f.kind == "checkpoint-identified")
    assert "ViT-L/14" in found.summary.en
    assert not any(f.supports for f in findings)

"""Save a tiny "large" Chinese-CLIP, then load it with a "base" vision config: every vision tensor mismatches.

transformers 5 prints a LOAD REPORT table through its logger and then raises a short RuntimeError; the
table is what tells the cases apart, so reproduce() returns what the terminal shows: the log and the
traceback.
"""

from kbfix.reproduce import transformers_load_failure

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0, 1)


def _config(width, layers, patch, projection):
    from transformers import ChineseCLIPConfig

    return ChineseCLIPConfig(
        text_config=dict(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=32),
        vision_config=dict(hidden_size=width, intermediate_size=2 * width, num_hidden_layers=layers,
                           num_attention_heads=2, image_size=28, patch_size=patch),
        projection_dim=projection,
    )


def _save_large(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import ChineseCLIPModel

    # stands in for clip_cn_vit-l-14: wider (1024 -> 32 here), deeper, patch 14
    ChineseCLIPModel(_config(width=32, layers=3, patch=14, projection=24)).save_pretrained(folder)


def reproduce():
    import tempfile

    from transformers import ChineseCLIPModel

    with tempfile.TemporaryDirectory() as folder:
        _save_large(folder)
        base = _config(width=24, layers=2, patch=7, projection=16)  # the "ViT-B-16" setting
        return transformers_load_failure(lambda: ChineseCLIPModel.from_pretrained(folder, config=base))


def fixed():
    import os
    import tempfile

    from safetensors import safe_open
    from transformers import AutoConfig, ChineseCLIPModel

    with tempfile.TemporaryDirectory() as folder:
        _save_large(folder)
        # fix 1: read the width the checkpoint was trained with
        with safe_open(os.path.join(folder, "model.safetensors"), framework="pt") as f:
            width = f.get_slice("vision_model.embeddings.class_embedding").get_shape()[0]
        assert width == 32, width
        # fix 0: build the model from the checkpoint's own config instead of the "base" setting
        config = AutoConfig.from_pretrained(folder)
        assert config.vision_config.hidden_size == width
        ChineseCLIPModel.from_pretrained(folder, config=config)

"""A Qwen2.5-VL processor folder saved before the class rename: preprocessor_config.json names
``Qwen2_5_VLImageProcessor``, which only transformers 4.49.0.dev0 builds of early February 2025 had (PR #36164 removed
it before 4.49.0). AutoImageProcessor (what AutoProcessor calls for the image part) looks only for that class and the
real transformers raises ``ValueError: Unrecognized image processor in <folder>. Should have a `image_processor_type`
key ...`` (checked with 4.49.0, 4.50.3, 4.57.1 and 5.25.0). The folder is written here; nothing is downloaded.

fixed(): fix 0 renames the type to ``Qwen2VLImageProcessor`` in the same file and the folder loads.
"""

# the image processors need Pillow, which the test environment may lack (scripts/verify.py --overlays)
OVERLAY = ("pillow==11.3.0",)
REQUIRES = ("transformers", "PIL")
FIXES = (0,)

CONFIG = {
    "image_processor_type": "Qwen2_5_VLImageProcessor",
    "processor_class": "Qwen2_5_VLProcessor",
    "do_resize": True,
    "do_rescale": True,
    "rescale_factor": 0.00392156862745098,
    "do_normalize": True,
    "do_convert_rgb": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "min_pixels": 3136,
    "max_pixels": 12845056,
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
}


def _write(tmp, config):
    """A model folder named like the quantized copies that kept the old file; returns its path."""
    import json
    import os

    folder = os.path.join(tmp, "Qwen2.5-VL-3B-Instruct-AWQ")
    os.makedirs(folder)
    with open(os.path.join(folder, "preprocessor_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    return folder


def _load(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoImageProcessor

    return AutoImageProcessor.from_pretrained(folder)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = _write(tmp, CONFIG)  # as the February 2025 uploads and their derivatives have it
        _load(folder)


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = _write(tmp, CONFIG)
        path = f"{folder}/preprocessor_config.json"
        with open(path, encoding="utf-8") as f:  # fix 0: the sed command on the file
            text = f.read().replace('"Qwen2_5_VLImageProcessor"', '"Qwen2VLImageProcessor"')
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        processor = _load(folder)
        name = type(processor).__name__
        assert name.startswith("Qwen2VLImageProcessor"), name
        return f"loaded {name}"

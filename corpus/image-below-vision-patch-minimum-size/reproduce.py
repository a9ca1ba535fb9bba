"""Qwen2VLImageProcessor (the processor of Qwen2-VL and Qwen2.5-VL) on a 16x200 crop, then on the crop scaled up and
on a padded 5x1093 banner.

transformers 4.45 - 4.52 refuse an image with a side under patch_size x merge_size = 28 in ``smart_resize``
(4.51 - 4.52 word it "height:16 and width:200 must be larger than factor:28"); 4.53 and later scale it up instead, so
with any other release the test is skipped. Nothing is downloaded: the processor is built from its defaults.
"""

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# Pillow too: the processor resizes with PIL
OVERLAY = ("transformers==4.51.3", "tokenizers==0.21.1", "huggingface_hub==0.30.2", "pillow==11.2.1")
# the last module is never installed: it stands for "a transformers release that checks (4.45-4.52)"
REQUIRES = ("numpy", "PIL", "transformers") + (
    () if release_within("transformers", (4, 45), (4, 53)) else ("kbfix_requires_transformers_4_45_to_4_52",))
FIXES = (0,)


def _processor():
    from transformers import Qwen2VLImageProcessor

    return Qwen2VLImageProcessor()  # patch_size 14, merge_size 2: factor 28


def _image(height, width):
    from PIL import Image

    return Image.new("RGB", (width, height), "white")


def reproduce():
    # an OCR line crop / detection crop in a fine-tuning set: 16 px high
    _processor()(images=[_image(16, 200)])


def _fit_for_vision_patches(img, factor=28, max_ratio=200):
    """fix 0: scale up a short side under the factor (keeping the aspect ratio), pad an aspect ratio over 200."""
    import math

    from PIL import Image

    w, h = img.size
    if min(w, h) < factor:
        scale = factor / min(w, h)
        w, h = max(factor, round(w * scale)), max(factor, round(h * scale))
        img = img.resize((w, h), Image.BICUBIC)
    if max(w, h) / min(w, h) > max_ratio:
        side = math.ceil(max(w, h) / max_ratio)
        canvas = Image.new(img.mode, (max(w, side), max(h, side)), "white")
        canvas.paste(img, (0, 0))
        img = canvas
    return img


def fixed():
    processor = _processor()
    lines = []
    for height, width in ((16, 200), (5, 1093)):
        out = processor(images=[_fit_for_vision_patches(_image(height, width))])
        grid = [int(v) for v in out["image_grid_thw"][0]]
        assert 0 not in grid, grid
        lines.append(f"{height}x{width}: image_grid_thw {grid}")
    return "\n".join(lines) + "\n"

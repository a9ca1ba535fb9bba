"""Known model sizes by width, so a size mismatch can say which model the checkpoint really is.

Widths come from the ``config.json`` of each checkpoint on the Hugging Face Hub (hidden_size, and
for vision towers hidden_size + patch_size) and, for original Chinese-CLIP checkpoints, from
``cn_clip/clip/model_configs/*.json`` (vision_width, vision_patch_size) in OFA-Sys/Chinese-CLIP.
"""

from __future__ import annotations

# (family, tower, width, patch) -> name; patch is None for text towers.
KNOWN: dict[tuple[str, str, int, int | None], str] = {
    ("chinese_clip", "vision", 768, 16): "Chinese-CLIP ViT-B/16",
    ("chinese_clip", "vision", 1024, 14): "Chinese-CLIP ViT-L/14",
    ("chinese_clip", "vision", 1280, 14): "Chinese-CLIP ViT-H/14",
    ("chinese_clip", "text", 768, None): "RoBERTa-wwm-ext-base-chinese",
    ("chinese_clip", "text", 1024, None): "RoBERTa-wwm-ext-large-chinese",
    ("clip", "vision", 768, 32): "CLIP ViT-B/32",
    ("clip", "vision", 768, 16): "CLIP ViT-B/16",
    ("clip", "vision", 1024, 14): "CLIP ViT-L/14",
    ("roberta", "model", 768, None): "RoBERTa base",
    ("roberta", "model", 1024, None): "RoBERTa large",
    ("bert", "model", 768, None): "BERT base",
    ("bert", "model", 1024, None): "BERT large",
    ("qwen2", "model", 896, None): "Qwen2/2.5-0.5B",
    ("qwen2", "model", 1536, None): "Qwen2/2.5-1.5B",
    ("qwen2", "model", 2048, None): "Qwen2.5-3B",
    ("qwen2", "model", 3584, None): "Qwen2/2.5-7B",
    ("qwen2", "model", 5120, None): "Qwen2.5-14B/32B",
    ("qwen2", "model", 8192, None): "Qwen2/2.5-72B",
    ("llama", "model", 2048, None): "Llama-3.2-1B",
    ("llama", "model", 3072, None): "Llama-3.2-3B",
    ("llama", "model", 4096, None): "Llama-2-7B / Llama-3-8B",
    ("llama", "model", 5120, None): "Llama-2-13B",
    ("llama", "model", 8192, None): "Llama-2/3-70B",
    ("gemma", "model", 2048, None): "Gemma-2B",
    ("gemma", "model", 3072, None): "Gemma-7B",
    ("gemma2", "model", 2304, None): "Gemma-2-2B",
    ("gemma2", "model", 3584, None): "Gemma-2-9B",
    ("gemma2", "model", 4608, None): "Gemma-2-27B",
    ("gemma3_text", "model", 1152, None): "Gemma-3-1B",
    ("gemma3_text", "model", 2560, None): "Gemma-3-4B",
    ("gemma3_text", "model", 3840, None): "Gemma-3-12B",
    ("gemma3_text", "model", 5376, None): "Gemma-3-27B",
}
_FAMILY = {"xlm-roberta": "roberta", "gemma3": "gemma3_text", "chinese_clip_vision_model": "chinese_clip",
           "clip_vision_model": "clip"}


def name(family: str, tower: str, width: int, patch: int | None = None) -> str | None:
    family = _FAMILY.get(family, family)
    if tower == "vision":
        return KNOWN.get((family, tower, width, patch))
    return KNOWN.get((family, tower, width, None))


def describe(family: str, tower: str, width: int, patch: int | None = None) -> str:
    """``"Chinese-CLIP ViT-L/14 (1024 wide)"``, or ``"1024 wide"`` for a size not in the table."""
    known = name(family, tower, width, patch)
    shape = f"{width} wide" + (f", patch {patch}" if patch else "")
    return f"{known} ({shape})" if known else shape


def describe_zh(family: str, tower: str, width: int, patch: int | None = None) -> str:
    """:func:`describe` in Chinese: ``"Chinese-CLIP ViT-L/14（宽度 1024、patch 14）"``, ``"宽度 512 的模型"``."""
    known = name(family, tower, width, patch)
    shape = f"宽度 {width}" + (f"、patch {patch}" if patch else "")
    return f"{known}（{shape}）" if known else f"{shape} 的模型"


def spaced(text: str) -> str:
    """``text`` to follow a Chinese character: a space first when it starts with a Latin letter or digit."""
    return " " + text if text[:1].isascii() else text

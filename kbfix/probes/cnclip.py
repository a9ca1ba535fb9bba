"""Original Chinese-CLIP checkpoints (``cn_clip``): which model size the checkpoint is, against the config.

These ``.pt`` files nest the weights under ``"state_dict"`` with DDP's ``module.`` prefix:
``module.visual.conv1.weight`` is ``[width, 3, patch, patch]`` and ``module.bert.*`` is the
RoBERTa text tower. Sizes (``cn_clip/clip/model_configs``): ViT-B/16 is 768 wide with patch 16,
ViT-L/14 1024 wide with patch 14, ViT-H/14 1280; RoBERTa-wwm-ext base 768, large 1024.
"""

from __future__ import annotations

import re

from kbfix.model import Finding, Text

from kbfix.artifacts import read, sizes
from kbfix.artifacts.target import CHECKPOINT, Target

ARCHITECTURE = "checkpoint-size-mismatch-wrong-architecture"
ENTRIES = (ARCHITECTURE,)  # the corpus entries this probe's findings may support or refute
_VISUAL = re.compile(r"^(?:module\.)?visual\.")
_RESBLOCK = re.compile(r"^(?:module\.)?visual\.transformer\.resblocks\.(\d+)\.")
_TEXT_LAYER = re.compile(r"^(?:module\.)?bert\.encoder\.layer\.(\d+)\.")


def applies(target: Target) -> bool:
    if target.kind != CHECKPOINT or read.lfs_pointer(target.path) is not None:
        return False
    try:
        keys = read.state_dict(target.path).shapes
    except (ValueError, RuntimeError, OSError):
        return False  # checkpoint_keys or weights_readable reports an unreadable file
    return any(_VISUAL.match(k) for k in keys)


def run(target: Target) -> list[Finding]:
    loaded = read.state_dict(target.path)
    found = _measure(loaded.shapes)
    facts = {"nested_under": loaded.nested_under, "prefix": "module." if all(
        k.startswith("module.") for k in loaded.shapes) else "", "checkpoint": _describe(found)}
    config = target.config
    if config is None:
        return [Finding("checkpoint-identified", target.subject,
                        Text(f"Chinese-CLIP checkpoint: {facts['checkpoint']}",
                             f"Chinese-CLIP checkpoint：{_describe_zh(found)}"), {**facts, **found})]
    wanted = _from_config(config)
    differ = {k: (wanted[k], found.get(k)) for k in wanted if found.get(k) is not None and wanted[k] != found[k]}
    facts.update(config=_describe(wanted), differ={k: {"config": a, "checkpoint": b} for k, (a, b) in differ.items()})
    if differ:
        return [Finding("checkpoint-other-model-size", target.subject,
                        Text(f"the checkpoint is {facts['checkpoint']}; the config describes {facts['config']}",
                             f"checkpoint 是{_describe_zh(found)}，而 config 描述的是{_describe_zh(wanted)}"),
                        facts, supports=(ARCHITECTURE,))]
    return [Finding("checkpoint-matches-config", target.subject,
                    Text(f"the checkpoint and the config are both {facts['checkpoint']}",
                         f"checkpoint 和 config 都是{_describe_zh(found)}"), facts, refutes=(ARCHITECTURE,))]


def _measure(shapes: dict[str, tuple[int, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, shape in shapes.items():
        bare = key.removeprefix("module.")
        if bare == "visual.conv1.weight" and len(shape) == 4:
            found["vision_width"], found["vision_patch_size"] = shape[0], shape[-1]
        elif bare == "bert.embeddings.word_embeddings.weight" and len(shape) == 2:
            found["text_vocab_size"], found["text_hidden_size"] = shape
    for name, pattern in (("vision_layers", _RESBLOCK), ("text_layers", _TEXT_LAYER)):
        indices = {int(m.group(1)) for m in map(pattern.match, shapes) if m}
        if indices:
            found[name] = max(indices) + 1
    return found


def _from_config(config: dict) -> dict[str, int]:
    """The same measures from a cn_clip model config JSON or a Hugging Face chinese_clip config."""
    if "vision_width" in config:
        keys = {"vision_width": "vision_width", "vision_patch_size": "vision_patch_size",
                "vision_layers": "vision_layers", "text_hidden_size": "hidden_size",
                "text_layers": "num_hidden_layers", "text_vocab_size": "vocab_size"}
        return {k: config[v] for k, v in keys.items() if isinstance(config.get(v), int)}
    vision, text = config.get("vision_config") or {}, config.get("text_config") or {}
    pairs = {"vision_width": (vision, "hidden_size"), "vision_patch_size": (vision, "patch_size"),
             "vision_layers": (vision, "num_hidden_layers"), "text_hidden_size": (text, "hidden_size"),
             "text_layers": (text, "num_hidden_layers"), "text_vocab_size": (text, "vocab_size")}
    return {k: where[v] for k, (where, v) in pairs.items() if isinstance(where.get(v), int)}


def _describe(measures: dict[str, int]) -> str:
    parts = []
    if "vision_width" in measures:
        parts.append(sizes.describe("chinese_clip", "vision", measures["vision_width"],
                                    measures.get("vision_patch_size")))
    if "text_hidden_size" in measures:
        parts.append("text " + sizes.describe("chinese_clip", "text", measures["text_hidden_size"]))
    return ", ".join(parts) or "unknown size"


def _describe_zh(measures: dict[str, int]) -> str:
    parts = []
    if "vision_width" in measures:
        parts.append("视觉塔" + sizes.spaced(sizes.describe_zh("chinese_clip", "vision", measures["vision_width"],
                                                             measures.get("vision_patch_size"))))
    if "text_hidden_size" in measures:
        parts.append("文本塔" + sizes.spaced(sizes.describe_zh("chinese_clip", "text", measures["text_hidden_size"])))
    return "，".join(parts) or "未知尺寸"

"""Read a PEFT adapter folder and find the base model it belongs to (helpers for the adapter probes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import read
from .target import Target, model_config

# Module names of input/output embeddings across architectures.
EMBEDDING_NAMES = ("lm_head", "embed_tokens", "wte", "word_embeddings", "embed_in", "embed_out",
                   "tok_embeddings", "shared")
_WEIGHT_MODULE = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+?)\.(?:lora_[AB]|lora_embedding_[AB]|"
                            r"lora_magnitude_vector|base_layer|modules_to_save|ia3_l)")


@dataclass(frozen=True)
class Adapter:
    folder: Path
    config: dict
    weights: dict[str, tuple[int, ...]]  # from the adapter_model file's header

    @property
    def target_modules(self) -> list[str] | str:
        value = self.config.get("target_modules") or []
        return value if isinstance(value, str) else list(value)

    @property
    def saved_modules(self) -> dict[str, set[str]]:
        """Module path -> the kinds of tensors saved for it (lora_A, base_layer, modules_to_save...)."""
        modules: dict[str, set[str]] = {}
        for key in self.weights:
            match = _WEIGHT_MODULE.match(key)
            if match:
                kind = key[match.end("module") + 1:].split(".")[0]
                modules.setdefault(match["module"], set()).add(kind)
        return modules


def load(folder: Path) -> Adapter:
    config = read.json_file(read.member(folder, "adapter_config.json"))
    if not isinstance(config, dict):
        raise ValueError("adapter_config.json is not a JSON object")
    weights: dict[str, tuple[int, ...]] = {}
    for file in read.adapter_weight_files(folder):
        if read.lfs_pointer(file) is None:
            weights.update(read.state_dict(file).shapes)
    return Adapter(folder, config, weights)


def base_config(target: Target, adapter: Adapter) -> tuple[dict | None, str]:
    """The base model's config: the folder given beside the adapter, else base_model_name_or_path
    when it is a local folder or in the local Hub cache. Returns (config, where it came from)."""
    if target.base is not None:
        config = model_config(target.base)
        if config is not None:
            return config, str(target.base)
    name = adapter.config.get("base_model_name_or_path") or ""
    folder = read.resolve_model(name, adapter.folder.parent)
    if folder is not None and model_config(folder) is not None:
        return model_config(folder), str(folder)
    return None, ""


def touches(name: str) -> str | None:
    """The embedding name a module path or target entry refers to, if any."""
    last = name.rsplit(".", 1)[-1]
    return last if last in EMBEDDING_NAMES else None


def tied(config: dict | None, name: str) -> tuple[bool | None, str]:
    """Whether the base ties input and output embeddings, and why kbfix thinks so."""
    if config is not None:
        text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
        for where in (config, text):
            if "tie_word_embeddings" in where:
                return bool(where["tie_word_embeddings"]), "tie_word_embeddings in the base config"
        if config.get("model_type"):
            return _default_tie(config["model_type"]), f"the {config['model_type']} config default"
    if re.search(r"gemma", name.lower()):
        return True, f"Gemma models tie embeddings ('{name}')"
    return None, "unknown: base config not available"


def tied_zh(why: str) -> str:
    """The reason :func:`tied` gives, in Chinese."""
    if why == "tie_word_embeddings in the base config":
        return "基座 config 中的 tie_word_embeddings"
    if why == "unknown: base config not available":
        return "未知：拿不到基座 config"
    default = re.fullmatch(r"the (.+) config default", why)
    if default:
        return f"{default[1]} config 的默认值"
    gemma = re.fullmatch(r"Gemma models tie embeddings \((.*)\)", why)
    if gemma:
        return f"模型名 {gemma[1]} 表明是 Gemma，Gemma 默认绑定 embedding"
    return why


def _default_tie(model_type: str) -> bool | None:
    try:
        from transformers import AutoConfig

        config = AutoConfig.for_model(model_type)
    except (ImportError, ValueError, KeyError):
        return None
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    return bool(getattr(text, "tie_word_embeddings", False))

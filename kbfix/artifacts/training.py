"""Read a training config (LLaMA-Factory YAML, TrainingArguments JSON) and what it points to.

Helpers for the training-config probes: the settings as a dict, the model family the config
trains, and the DeepSpeed config it names. Nothing is downloaded; a model named by Hub id is found
only when it is in the local Hub cache.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import read
from .target import LLAMAFACTORY, Target, model_config

# LLaMA-Factory's defaults (hparams/finetuning_args.py) for the settings the probes read.
LLAMAFACTORY_DEFAULTS = {"finetuning_type": "lora", "freeze_vision_tower": True,
                         "freeze_multi_modal_projector": True, "freeze_language_model": False,
                         "freeze_trainable_layers": 2}
_NAMES = (("gemma3", r"gemma-?3"), ("gemma2", r"gemma-?2(?![b\d])"), ("gemma", r"gemma"),
          ("qwen2_vl", r"qwen2(\.5)?-?vl"), ("qwen3", r"qwen-?3"), ("qwen2", r"qwen-?2"), ("llama", r"llama"),
          ("mistral", r"mistral"))
_QUANTIZATION_KEYS = ("quantization_bit", "load_in_4bit", "load_in_8bit", "quantization_config",
                      "quantization_method")
_NAMED = "the model name "  # model_type() source when the family comes from the name
_GUESSED = " (not found here; stage read from its name)"  # deepspeed() source when the file is absent


def settings(target: Target) -> dict:
    data = read.config_file(target.path)
    if not isinstance(data, dict):
        raise ValueError(f"{target.path.name} does not hold a mapping of settings")
    if target.kind == LLAMAFACTORY:
        return {**LLAMAFACTORY_DEFAULTS, **data}
    return data


def flag(values: dict, key: str, default: bool = False) -> bool:
    value = values.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def model_name(values: dict) -> str:
    for key in ("model_name_or_path", "model_name", "model_id"):
        if isinstance(values.get(key), str):
            return values[key]
    return ""


def model_type(values: dict, target: Target) -> tuple[str | None, str]:
    """The model_type of the model a config trains, and how it was found (config.json or the name)."""
    name = model_name(values)
    folder = read.resolve_model(name, target.path.parent) if name else None
    config = model_config(folder) if folder else (target.config if target.base else None)
    if config and "model_type" in config:
        return config["model_type"], f"{folder or target.base}/config.json"
    for family, pattern in _NAMES:
        if re.search(pattern, name.lower()):
            return family, f"{_NAMED}'{name}'"
    return None, ""


def deepspeed(values: dict, target: Target) -> tuple[dict | None, int | None, str]:
    """The DeepSpeed config a training config names: (config, ZeRO stage, where it came from)."""
    for other in target.related:
        if other.suffix == ".json" and other.is_file():
            data = read.json_file(other)
            if isinstance(data, dict) and "zero_optimization" in data:
                return data, _stage(data), str(other)
    named = values.get("deepspeed")
    if isinstance(named, dict):
        return named, _stage(named), "inline"
    if not isinstance(named, str) or not named:
        return None, None, ""
    for candidate in (Path(named), target.path.parent / named):
        if candidate.is_file():
            data = read.json_file(candidate)
            return data, _stage(data), str(candidate)
    guess = re.search(r"(?:z|zero|stage)_?(\d)", Path(named).name.lower())
    return None, int(guess.group(1)) if guess else None, f"{named}{_GUESSED}"


def source_zh(source: str) -> str:
    """A ``model_type`` or ``deepspeed`` source (a path, a model name, "inline"...) in Chinese."""
    if source.startswith(_NAMED):
        return "模型名 " + source[len(_NAMED):]
    if source == "inline":
        return "内联配置"
    if source.endswith(_GUESSED):
        return source[:-len(_GUESSED)] + "，本地未找到，stage 由文件名推断"
    return source


def _stage(data: object) -> int | None:
    if not isinstance(data, dict):
        return None
    stage = (data.get("zero_optimization") or {}).get("stage")
    return int(stage) if isinstance(stage, (int, str)) and str(stage).isdigit() else None


def quantization(values: dict) -> dict[str, object]:
    """Quantization settings anywhere in the config (top level or nested, e.g. model_init_kwargs)."""
    return {k: v for k, v in _walk(values) if k in _QUANTIZATION_KEYS and v not in (None, False, "", 0)}


def device_map(values: dict) -> object:
    for key, value in _walk(values):
        if key == "device_map" and value not in (None, ""):
            return value
    return None


def _walk(values: dict):
    for key, value in values.items():
        yield key, value
        if isinstance(value, dict):
            yield from _walk(value)


def uses_adapter(values: dict) -> bool:
    """LoRA or another frozen-base method: LLaMA-Factory finetuning_type, trl/peft settings."""
    if str(values.get("finetuning_type", "")).lower() in ("lora", "freeze", "oft"):
        return True
    return any(values.get(k) for k in ("use_peft", "lora_r", "lora_target_modules", "peft_config",
                                       "adapter_name_or_path"))

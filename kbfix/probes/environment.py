"""Installed library versions against what the model needs.

Versions come from package metadata (``importlib.metadata``); nothing is imported. A model type is
unknown to the installed transformers when its ``transformers/models/<type>`` folder is missing;
the table gives the first release that knows it (from the transformers release notes,
https://github.com/huggingface/transformers/releases).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

from kbfix.model import Finding, Text

from kbfix.artifacts import training
from kbfix.artifacts.target import ADAPTER, LLAMAFACTORY, MODEL, MODEL_CONFIG, TRAINING_ARGS, Target

UNKNOWN = "transformers-unknown-architecture"
FLASH = "flash-attn-unavailable"
ENTRIES = (UNKNOWN, FLASH)  # the corpus entries this probe's findings may support or refute
PACKAGES = ("torch", "transformers", "peft", "accelerate", "deepspeed", "flash_attn", "bitsandbytes")
# model_type -> first transformers release with it (release notes of that version).
FIRST_RELEASE = {
    "llama": "4.28.0", "mistral": "4.34.0", "mixtral": "4.36.0", "qwen2": "4.37.0", "siglip": "4.37.0",
    "gemma": "4.38.0", "qwen2_moe": "4.40.0", "phi3": "4.40.0", "paligemma": "4.41.0", "gemma2": "4.42.0",
    "qwen2_vl": "4.45.0", "qwen2_5_vl": "4.49.0", "gemma3": "4.50.0", "gemma3_text": "4.50.0",
    "qwen3": "4.51.0", "qwen3_moe": "4.51.0", "llama4": "4.51.0", "gemma3n": "4.53.0",
}
# model types whose code lives in another model's folder
_FOLDER = {"gemma3_text": "gemma3", "qwen2_5_vl": "qwen2_5_vl", "chinese_clip_vision_model": "chinese_clip"}


def applies(target: Target) -> bool:
    return target.kind in (MODEL, MODEL_CONFIG, ADAPTER, LLAMAFACTORY, TRAINING_ARGS)


def run(target: Target) -> list[Finding]:
    installed = versions()
    model_type, source, attention = _model(target)
    facts = {"installed": installed, "model_type": model_type, "model_type_source": source}
    findings = []
    if model_type:
        findings.append(_architecture(model_type, source, installed.get("transformers"), facts, target.subject))
    if attention == "flash_attention_2" and not installed.get("flash_attn"):
        findings.append(Finding("flash-attn-not-installed", target.subject,
                                Text("flash_attention_2 is requested but flash_attn is not installed",
                                     "请求了 flash_attention_2，但没有安装 flash_attn"), facts,
                                supports=(FLASH,)))
    if not findings:
        findings.append(Finding("environment", target.subject, Text("installed versions", "已安装的库版本"), facts))
    return findings


def versions() -> dict[str, str | None]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def known_model_types() -> Path | None:
    """The installed transformers' ``models`` folder, located without importing transformers."""
    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _architecture(model_type: str, source: str, installed: str | None, facts: dict, subject: str) -> Finding:
    needed = FIRST_RELEASE.get(model_type)
    facts = {**facts, "needs_transformers": f">={needed}" if needed else None}
    models = known_model_types()
    if installed is None or models is None:  # kbfix may be installed apart from the training environment
        return Finding("transformers-not-here", subject,
                       Text(f"transformers is not installed where kbfix runs, so whether it knows model type "
                            f"'{model_type}' was not checked", f"kbfix 所在环境没有安装 transformers，因此未检查它是否支持 "
                            f"model_type '{model_type}'"), facts)
    folder = _FOLDER.get(model_type, model_type).replace("-", "_")
    known = (models / folder).is_dir()
    if needed and _older(installed, needed):
        known = False
    if not known:
        wanted = f" (needs transformers>={needed})" if needed else ""
        return Finding("architecture-unknown-to-transformers", subject,
                       Text(f"model type '{model_type}' ({source}) is not in the installed transformers {installed}"
                       f"{wanted}: upgrade transformers", f"已安装的 transformers {installed} 不认识 model_type '{model_type}'"
                                  f"（{training.source_zh(source)}）"
                                  + (f"，需要 transformers>={needed}" if needed else "") + "：请升级 transformers"), facts, supports=(UNKNOWN,))
    return Finding("architecture-known", subject,
                   Text(f"the installed transformers {installed} knows model type '{model_type}'",
                        f"已安装的 transformers {installed} 支持 model_type '{model_type}'"), facts, refutes=(UNKNOWN,))


def _older(installed: str, needed: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(installed) < Version(needed)
    except InvalidVersion:
        return False


def _model(target: Target) -> tuple[str | None, str, str | None]:
    """(model_type, where it came from, attention implementation asked for)."""
    if target.kind in (LLAMAFACTORY, TRAINING_ARGS):
        values = training.settings(target)
        model_type, source = training.model_type(values, target)
        attention = values.get("attn_implementation") or {"fa2": "flash_attention_2"}.get(values.get("flash_attn"))
        return model_type, source, attention
    config = target.config
    if config is None or "model_type" not in config:
        return None, "", None
    return config["model_type"], "config.json", config.get("attn_implementation") or config.get("_attn_implementation")

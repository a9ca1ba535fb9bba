"""What a model built from a config expects to load: parameter names, shapes and module names.

The model is built on the meta device (``with torch.device("meta")``): no memory for weights, no
initialisation, no download. Only configs of architectures that the installed transformers knows are
built; a config that needs remote code is refused (it would run code from the user's folder), and so
is a config whose counts or sizes no real model has (``num_hidden_layers: 1000000`` would take
minutes and gigabytes even on the meta device): :func:`check_plausible` bounds them before torch is
imported. Building needs the ``inspect`` extra (torch, transformers).

What a built model expects is also kept in kbfix's signed cache, keyed by the config and the installed
torch and transformers: :func:`known` reads it back without importing either, so a checkpoint whose
tensors match a config seen before is checked in a fraction of a second (transformers' load-time key
conversions are not cached: a checkpoint that does not match outright is compared by building the model).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from .refuse import Refusal, require

# Buffers and stale entries that transformers ignores when they are unexpected in a checkpoint.
BENIGN_UNEXPECTED = re.compile(r"(^|\.)(position_ids|inv_freq|masked_bias|num_batches_tracked|attn\.bias)$")


@dataclass(frozen=True)
class Expected:
    class_name: str
    model_type: str
    shapes: dict[str, tuple[int, ...]]  # every persistent state-dict entry, tied copies included
    tied: tuple[frozenset[str], ...]  # groups of names that share one tensor; any one present is enough
    modules: tuple[str, ...]  # names of every submodule ("model.layers.0.self_attn.q_proj", ...)
    linear: frozenset[str]  # the submodules that are nn.Linear (or Conv1D)
    prefix: str  # base_model_prefix: transformers adds or strips it on load
    ignore_missing: tuple[str, ...]  # regexes from _keys_to_ignore_on_load_missing
    ignore_unexpected: tuple[str, ...]
    renames: tuple[object, ...]  # transformers' checkpoint conversion transforms (v5), applied on load
    tie_word_embeddings: bool


# Counts that multiply the modules a model builds, and sizes, with bounds no released model comes near
# (the deepest have ~130 layers, the widest MoE ~400 experts a layer, vocabularies ~260k).
COUNT_KEYS = {
    **dict.fromkeys(("num_hidden_layers", "num_layers", "n_layer", "n_layers", "num_encoder_layers",
                     "num_decoder_layers", "encoder_layers", "decoder_layers", "vision_layers", "text_layers",
                     "depth"), 1024),
    **dict.fromkeys(("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts",
                     "n_shared_experts", "num_experts_per_tok"), 4096),
    **dict.fromkeys(("num_attention_heads", "num_key_value_heads", "n_head", "encoder_attention_heads",
                     "decoder_attention_heads"), 4096),
}
SIZE_SUFFIXES = ("_size", "_dim", "_embeddings", "n_positions", "n_embd", "d_model", "d_ff", "n_inner")
MAX_SIZE = 1 << 27  # 134M: past any vocabulary, width or context length
MAX_BLOCKS = 100_000  # layers x experts of one config


class CustomCode(Refusal):
    """The config names remote code (``auto_map``); kbfix does not execute it."""

    kind = "remote-code-not-run"
    outcome = "not built"


class Implausible(Refusal):
    """The config's counts or sizes are beyond any real model: the model is not built."""

    kind = "config-implausible"
    outcome = "not built"


def check_plausible(config: dict) -> None:
    """Raise :class:`Implausible` for counts and sizes no real model has (in nested configs too)."""
    blocks = []
    stack = [(config, "")]
    while stack:
        node, where = stack.pop()
        layers = experts = 1
        for key, value in node.items():
            if isinstance(value, dict):
                stack.append((value, f"{where}{key}."))
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            bound = COUNT_KEYS.get(key) or (MAX_SIZE if key.endswith(SIZE_SUFFIXES) else None)
            if bound is not None and value > bound:
                raise _implausible(f"{where}{key}", value, bound)
            if key in COUNT_KEYS and COUNT_KEYS[key] == 1024:
                layers = max(layers, int(value))
            elif key in COUNT_KEYS and "expert" in key and key != "num_experts_per_tok":
                experts = max(experts, int(value))
        blocks.append(layers * experts)
    if sum(blocks) > MAX_BLOCKS:
        raise Implausible(f"the config asks for {sum(blocks)} layer-expert blocks (kbfix builds up to {MAX_BLOCKS}); "
                          "tensor names and shapes were not compared",
                          zh=f"该 config 需要 {sum(blocks)} 个层×专家模块（kbfix 最多构建 {MAX_BLOCKS} 个）；未比较张量名和形状",
                          facts={"blocks": sum(blocks), "bound": MAX_BLOCKS})


def _implausible(key: str, value: float, bound: int) -> Implausible:
    shown = f"{value:.3g}" if isinstance(value, float) or value >= 10**12 else str(value)
    return Implausible(
        f"{key}: {shown} is beyond any real model (kbfix builds up to {bound}); the model was not built and "
        "tensor names and shapes were not compared",
        zh=f"{key}: {shown} 超出了任何真实模型（kbfix 最多构建到 {bound}）；未构建模型，也未比较张量名和形状",
        facts={"key": key, "value": shown, "bound": bound})


CACHE_FORMAT = 1  # of the cached description; bump when Expected changes
KEEP = 32  # descriptions kept (a few KB each, about 1 MB for the largest models)


def known(config: dict) -> Expected | None:
    """What a model built from ``config`` expects, from the cache (no torch import); None when not cached.

    Its ``renames`` are empty: enough to confirm a checkpoint that matches outright, not to explain
    one that does not.
    """
    from kbfix import cache

    return cache.load_data(_cache_path(_config_key(config)), _decode)


def _config_key(config: dict) -> str:
    return json.dumps(config, sort_keys=True, default=str)


def _cache_path(config_key: str):
    from kbfix import cache, versions

    return cache.path("expected", CACHE_FORMAT, config_key, versions.installed("transformers") or "",
                      versions.installed("torch") or "")


def _encode(found: Expected) -> dict:
    return {"class_name": found.class_name, "model_type": found.model_type,
            "shapes": {k: list(v) for k, v in found.shapes.items()}, "tied": [sorted(g) for g in found.tied],
            "modules": list(found.modules), "linear": sorted(found.linear), "prefix": found.prefix,
            "ignore_missing": [str(p) for p in found.ignore_missing],
            "ignore_unexpected": [str(p) for p in found.ignore_unexpected],
            "tie_word_embeddings": found.tie_word_embeddings}


def _decode(data: dict) -> Expected:
    return Expected(
        class_name=str(data["class_name"]), model_type=str(data["model_type"]),
        shapes={str(k): tuple(int(d) for d in v) for k, v in data["shapes"].items()},
        tied=tuple(frozenset(map(str, g)) for g in data["tied"]), modules=tuple(map(str, data["modules"])),
        linear=frozenset(map(str, data["linear"])), prefix=str(data["prefix"]),
        ignore_missing=tuple(map(str, data["ignore_missing"])),
        ignore_unexpected=tuple(map(str, data["ignore_unexpected"])), renames=(),
        tie_word_embeddings=bool(data["tie_word_embeddings"]))


def expected(config: dict) -> Expected:
    """Build (once per config) the model on the meta device and describe what it expects."""
    if "auto_map" in config:
        raise CustomCode(f"the config maps to remote code ({sorted(map(str, config['auto_map']))[:5]}); "
                         "kbfix does not run it, so tensor names and shapes were not compared",
                         zh=f"该 config 指向远程代码（{sorted(map(str, config['auto_map']))[:5]}）；kbfix 不运行它，"
                            "因此未比较张量名和形状")
    check_plausible(config)
    require("inspect", "Comparing tensors with the model its config describes", "torch", "transformers",
            zh_what="将张量与 config 描述的模型进行比较")
    return _expected(_config_key(config))


@functools.lru_cache(maxsize=16)
def _expected(config_key: str) -> Expected:
    import torch

    from kbfix import cache

    hf_config = to_hf_config(json.loads(config_key))
    with torch.device("meta"):
        model = _model_class(hf_config)(hf_config)
    found = describe(model)
    cache.store_data(_cache_path(config_key), _encode(found), keep=KEEP)  # read-only: only the build again
    return found


def clear_caches() -> None:
    _expected.cache_clear()


def to_hf_config(config: dict):
    from transformers import AutoConfig

    values = {k: v for k, v in config.items() if k not in ("model_type", "transformers_version")}
    return AutoConfig.for_model(config["model_type"], **values)


def _model_class(hf_config):
    """A constructor for the config's first listed architecture, else the Auto class of its type."""
    import transformers
    from transformers import AutoModel, AutoModelForCausalLM

    for name in hf_config.architectures or ():
        cls = getattr(transformers, name, None)
        if cls is not None:
            return cls._from_config
    try:
        AutoModelForCausalLM._model_mapping[type(hf_config)]
    except KeyError:
        return AutoModel.from_config
    return AutoModelForCausalLM.from_config


def describe(model) -> Expected:
    import torch

    entries = model.state_dict(keep_vars=True)
    first_name: dict[int, str] = {}
    groups: dict[str, set[str]] = {}
    for name, tensor in entries.items():
        owner = first_name.setdefault(id(tensor), name)
        groups.setdefault(owner, {owner}).add(name)
    linear = frozenset(n for n, m in model.named_modules()
                       if isinstance(m, torch.nn.Linear) or type(m).__name__ == "Conv1D")
    config = model.config
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return Expected(
        class_name=type(model).__name__,
        model_type=config.model_type,
        shapes={name: tuple(t.shape) for name, t in entries.items()},
        tied=tuple(frozenset(g) for g in groups.values() if len(g) > 1),
        modules=tuple(n for n, _ in model.named_modules() if n),
        linear=linear,
        prefix=getattr(model, "base_model_prefix", "") or "",
        ignore_missing=tuple(getattr(model, "_keys_to_ignore_on_load_missing", None) or ()),
        ignore_unexpected=tuple(getattr(model, "_keys_to_ignore_on_load_unexpected", None) or ()),
        renames=_renames(model),
        tie_word_embeddings=bool(getattr(text_config, "tie_word_embeddings", False)),
    )


def _renames(model) -> tuple[object, ...]:
    """transformers' own key conversions (v5 ``conversion_mapping``; ``()`` where there is none)."""
    try:
        from transformers.conversion_mapping import get_model_conversion_mapping
    except ImportError:
        legacy = getattr(model, "_checkpoint_conversion_mapping", None) or {}
        return tuple(legacy.items())
    return tuple(get_model_conversion_mapping(model))


def rename(key: str, renames: tuple[object, ...]) -> tuple[str, bool]:
    """Apply the load-time key conversions to ``key``: (new key, whether a many-to-one converter took it).

    A converter that fuses several tensors (MoE experts) changes shapes, so such keys are compared
    by name only.
    """
    fused = False
    for transform in renames:
        if isinstance(transform, tuple):  # transformers 4.x: {regex: replacement}
            key = re.sub(transform[0], transform[1], key)
            continue
        new_key, source = transform.rename_source_key(key)
        if source is not None and type(transform).__name__ != "WeightRenaming":
            fused = True
        key = new_key
    return key, fused

"""Helpers for the live-object probes: the model, optimizer and arguments behind an object."""

from __future__ import annotations

from .target import MODULE, OPTIMIZER, TRAINER, Target


def model_of(target: Target):
    if target.kind == MODULE:
        return target.obj
    if target.kind == TRAINER:
        return getattr(target.obj, "model", None)
    return None


def optimizer_of(target: Target):
    if target.kind == OPTIMIZER:
        return target.obj
    if target.kind == TRAINER:
        optimizer = getattr(target.obj, "optimizer", None)
        return getattr(optimizer, "optimizer", optimizer)  # accelerate wraps it
    return None


def base_of(model):
    """The transformers model inside a PeftModel (or the model itself)."""
    getter = getattr(model, "get_base_model", None)
    return getter() if callable(getter) else model


def embeddings(model):
    """(input embedding module, output embedding module) or Nones, through PEFT wrappers."""
    base = base_of(model)
    inputs = base.get_input_embeddings() if hasattr(base, "get_input_embeddings") else None
    outputs = base.get_output_embeddings() if hasattr(base, "get_output_embeddings") else None
    return inputs, outputs


def weight(module):
    """The weight of a module, looking through LoRA / modules_to_save wrappers."""
    for name in ("base_layer", "original_module"):
        inner = getattr(module, name, None)
        if inner is not None and hasattr(inner, "weight"):
            return inner.weight
    return getattr(module, "weight", None)


def same_storage(a, b) -> bool:
    if a is None or b is None:
        return False
    if a is b:
        return True
    if a.device.type == "meta" or b.device.type == "meta":
        return False
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()

"""Reading ``head_dim`` off a heterogeneous Gemma 4 text config under transformers >= 5.15.

A tiny ``Gemma4TextConfig`` (4 layers, sliding layers with head_dim 32, the full-attention last layer with
``global_head_dim`` 64) gets a per-layer representation, so ``config.head_dim`` raises
``AmbiguousGlobalPerLayerAttributeError`` as vLLM 0.27.1's ``get_head_size`` does with ``getattr(config, "head_dim", 0)``
(the error subclasses RuntimeError, so the default does not help). transformers before 5.15 has no per-layer
representation: the reproducer skips itself there.

fixed() applies fix 2: the same values read from ``config.per_layer_config``. Fixes 0 and 1 (a newer caller, or
transformers < 5.15) are version changes checked by their ``check``.
"""

from kbfix.reproduce import release_within

REQUIRES = ("transformers",) + (
    () if release_within("transformers", (5, 15)) else ("kbfix_requires_transformers_5_15",))
FIXES = (2,)


def _config():
    from transformers import Gemma4TextConfig

    return Gemma4TextConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=4, num_attention_heads=2,
                            num_key_value_heads=1, head_dim=32, global_head_dim=64, vocab_size=128)


def reproduce():
    config = _config()
    getattr(config, "head_dim", 0)      # what vLLM's get_head_size did up to 0.27.1


def fixed():
    config = _config()
    per_layer = getattr(config, "per_layer_config", None)
    values = [layer.head_dim for layer in per_layer] if per_layer is not None else [config.head_dim]
    return f"head_dim per layer: {values}; head size {max(values)}"

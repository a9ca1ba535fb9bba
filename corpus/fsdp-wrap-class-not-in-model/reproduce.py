"""An FSDP recipe's ``transformer_layer_cls_to_wrap`` copied from a Llama config onto a Qwen2 model: accelerate's real
``FullyShardedDataParallelPlugin.set_auto_wrap_policy`` looks the class up by name in the model and raises
``ValueError: Could not find the transformer layer class LlamaDecoderLayer in the model.`` (accelerate < 0.34:
``Exception: Could not find the transformer layer class to wrap in the model.``).

No process group is needed: the plugin builds its wrap policy from the model before any sharding. fixed() names the
model's own class (fix 0), leaves it unset so ``_no_split_modules`` is used (fix 1), and uses size-based wrapping (fix 2).
CPU only, tiny model from a config.
"""

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0, 1, 2)


def _model():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    cfg = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=1)
    return Qwen2ForCausalLM(cfg)


def _plugin(**kwargs):
    from accelerate import FullyShardedDataParallelPlugin

    return FullyShardedDataParallelPlugin(**kwargs)


def reproduce():
    model = _model()
    plugin = _plugin(auto_wrap_policy="transformer_based_wrap", transformer_cls_names_to_wrap=["LlamaDecoderLayer"])
    plugin.set_auto_wrap_policy(model)       # raises: the class is not in this model


def fixed():
    model = _model()
    own = type(model.model.layers[0]).__name__            # fix 0: the model's own layer class
    plugin = _plugin(auto_wrap_policy="transformer_based_wrap", transformer_cls_names_to_wrap=[own])
    plugin.set_auto_wrap_policy(model)
    wrapped = {c.__name__ for c in plugin.auto_wrap_policy.keywords["transformer_layer_cls"]}
    assert wrapped == {"Qwen2DecoderLayer"}, wrapped
    plugin = _plugin(auto_wrap_policy="transformer_based_wrap")    # fix 1: unset -> model._no_split_modules
    plugin.set_auto_wrap_policy(model)
    default = {c.__name__ for c in plugin.auto_wrap_policy.keywords["transformer_layer_cls"]}
    assert "Qwen2DecoderLayer" in default, default
    plugin = _plugin(auto_wrap_policy="size_based_wrap", min_num_params=1000)   # fix 2: size-based
    plugin.set_auto_wrap_policy(model)
    return f"wrap {sorted(wrapped)}; default {sorted(default)}; size-based {plugin.auto_wrap_policy.keywords}"

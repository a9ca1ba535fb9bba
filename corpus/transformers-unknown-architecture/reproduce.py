"""A checkpoint folder whose config.json names a model type this transformers release has never heard of."""

import json
import os
import tempfile

REQUIRES = ("transformers",)
FIXES = (2,)

MODEL_TYPE = "qwen9_moe"  # newer than any installed release


def _checkpoint(model_type):
    folder = tempfile.mkdtemp(prefix="kbfix-ckpt-")
    config = {
        "architectures": ["Qwen9MoeForCausalLM"],
        "model_type": model_type,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "vocab_size": 64,
        "transformers_version": "9.1.0",
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    return folder


def reproduce():
    from transformers import AutoConfig

    AutoConfig.from_pretrained(_checkpoint(MODEL_TYPE))


def fixed():
    # Fix 2: the architecture is your own code (a fork or research repo): register its config class
    # under the model type before loading, then the Auto classes resolve it.
    from transformers import AutoConfig, PretrainedConfig
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    class Qwen9MoeConfig(PretrainedConfig):
        model_type = MODEL_TYPE

    if MODEL_TYPE not in CONFIG_MAPPING:
        AutoConfig.register(MODEL_TYPE, Qwen9MoeConfig)
    config = AutoConfig.from_pretrained(_checkpoint(MODEL_TYPE))
    assert config.model_type == MODEL_TYPE and config.hidden_size == 16

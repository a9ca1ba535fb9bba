"""A checkpoint whose config.json names a model type that only its project's own package registers
(as LLaVA-NeXT registers llava_qwen), loaded with AutoConfig without importing that package."""

import json
import os
import tempfile

REQUIRES = ("transformers",)
FIXES = (1,)

MODEL_TYPE = "llava_qwen_demo"  # a project's own type: no transformers release defines it


def _checkpoint():
    folder = tempfile.mkdtemp(prefix="kbfix-llava-")
    config = {
        "architectures": ["LlavaQwenDemoForCausalLM"],
        "model_type": MODEL_TYPE,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "vocab_size": 64,
        "mm_vision_tower": "google/siglip-so400m-patch14-384",
        "mm_projector_type": "mlp2x_gelu",
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    return folder


def reproduce():
    from transformers import AutoConfig

    AutoConfig.from_pretrained(_checkpoint())


def fixed():
    # Fix 1: what the project's package does at import time (llava/model/language_model/llava_qwen.py):
    # register its config class under the model type, then the Auto classes resolve it.
    from transformers import AutoConfig, PretrainedConfig

    class LlavaQwenDemoConfig(PretrainedConfig):
        model_type = MODEL_TYPE

    AutoConfig.register(MODEL_TYPE, LlavaQwenDemoConfig, exist_ok=True)
    config = AutoConfig.from_pretrained(_checkpoint())
    assert config.model_type == MODEL_TYPE and config.hidden_size == 16

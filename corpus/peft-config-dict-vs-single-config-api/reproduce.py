"""A tiny Llama built from a config gets LoRA adapters with the installed PEFT (``get_peft_model``). A saving step
written for PEFT < 0.3 (Chinese-LLaMA-Alpaca's ``run_clm_pt_with_peft.py`` before June 2023), where
``model.peft_config`` was the config itself, calls ``model.peft_config.save_pretrained(folder)``; since PEFT 0.3
``peft_config`` is a dict keyed by adapter name and Python raises the real
``AttributeError: 'dict' object has no attribute 'save_pretrained'``.
fixed() applies fix 0 (``peft_config["default"]`` and ``active_peft_config``) and fix 1 (a helper that accepts both
layouts), saves the adapter config and reads it back.
"""

import os
import tempfile

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1)


def _lora_model():
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    base = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                        num_attention_heads=4, num_key_value_heads=2))
    return get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))


def reproduce():
    model = _lora_model()
    with tempfile.TemporaryDirectory() as lora_path:
        model.peft_config.save_pretrained(lora_path)      # PEFT < 0.3: peft_config was one LoraConfig


def _config_of(model):
    """Fix 1: the active adapter's config under either PEFT layout."""
    config = model.peft_config
    return config[model.active_adapter] if isinstance(config, dict) else config


def fixed():
    from peft import LoraConfig

    model = _lora_model()
    with tempfile.TemporaryDirectory() as lora_path:
        model.peft_config["default"].save_pretrained(lora_path)                   # fix 0
        assert os.path.exists(os.path.join(lora_path, "adapter_config.json"))
        assert LoraConfig.from_pretrained(lora_path).r == 4
    assert model.active_peft_config.target_modules == {"q_proj", "v_proj"}       # fix 0
    assert _config_of(model).r == 4                                                # fix 1
    return f"adapter config saved; active adapter {model.active_adapter!r}, r={model.active_peft_config.r}\n"

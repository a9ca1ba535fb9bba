"""A GPTQ checkpoint loaded with transformers' from_pretrained while the model sits on the CPU: optimum's
GPTQQuantizer.post_init_model (1.12 - 1.22) refuses, because the ExLlama kernels that GPTQ loads with by default
(use_exllama=True) run only on CUDA.

The checkpoint is a tiny Llama built from a config, its Linear layers replaced by auto-gptq's QuantLinear through
optimum's own convert_model and saved with its GPTQ quantization_config (nothing is downloaded, no GPU needed; the
weights are random, what matters is the loading path). reproduce() loads it with no device_map, as AutoGPTQ#406 did:
the real post_init_model raises. fixed() applies fix 1 (GPTQConfig(bits=4, use_exllama=False) passed to
from_pretrained) and fix 2 ("use_exllama": false written into the checkpoint's config.json): both load. Fix 0 (the
whole model on one GPU) needs a GPU.

The error needs optimum < 1.23 (later releases only warn), a transformers that has GPTQConfig(use_exllama) and loads
GPTQ through optimum with auto-gptq (4.35 - 4.48), and auto-gptq (its CPU-capable wheel, no CUDA build needed;
transformers allows the CPU with auto-gptq > 0.4.2). The environment has none of them, so the test skips it
elsewhere; scripts/verify.py --overlays installs the OVERLAY pins aside and verifies it with them in front.
"""

import json
import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# auto-gptq imports peft and gekko at import time, optimum.gptq imports datasets
OVERLAY = ("optimum==1.22.0", "auto-gptq==0.7.1", "transformers==4.44.2", "tokenizers==0.19.1",
           "huggingface_hub==0.24.7", "datasets==3.6.0", "peft==0.10.0", "gekko==1.2.1")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = ("kbfix_requires_optimum_1_12_to_1_22_with_transformers_4_35_to_4_48"
       if not (release_within("optimum", (1, 12), (1, 23)) and release_within("transformers", (4, 35), (4, 49)))
       else None)
REQUIRES = ("torch", "transformers", "optimum", "auto_gptq", "accelerate") + ((OLD,) if OLD else ())
FIXES = (1, 2)


def _save_checkpoint(folder: str) -> None:
    """A tiny GPTQ (4-bit, group size 32) Llama checkpoint saved in ``folder``, as auto-gptq lays it out."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from optimum.gptq import GPTQQuantizer
    from transformers import GPTQConfig, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32)
    model = LlamaForCausalLM(config).half()
    gptq = GPTQConfig(bits=4, group_size=32)          # use_exllama defaults to True, as in the Hub's GPTQ checkpoints
    model = GPTQQuantizer.from_dict(gptq.to_dict_optimum()).convert_model(model)
    model.config.quantization_config = gptq
    model.save_pretrained(folder)


def reproduce():
    from transformers import AutoModelForCausalLM

    with tempfile.TemporaryDirectory() as folder:
        _save_checkpoint(folder)
        AutoModelForCausalLM.from_pretrained(folder)   # no device_map: the model stays on the CPU


def fixed():
    from transformers import AutoModelForCausalLM, GPTQConfig

    with tempfile.TemporaryDirectory() as folder:
        _save_checkpoint(folder)
        # fix 1: turn the ExLlama kernels off for this load
        model = AutoModelForCausalLM.from_pretrained(folder, quantization_config=GPTQConfig(bits=4, use_exllama=False))
        assert model.config.quantization_config.use_exllama is False, model.config.quantization_config
        # fix 2: turn them off in the checkpoint's config.json, for loaders that pass no GPTQConfig
        path = os.path.join(folder, "config.json")
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
        config["quantization_config"]["use_exllama"] = False
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
        model = AutoModelForCausalLM.from_pretrained(folder)
        assert model.config.quantization_config.use_exllama is False, model.config.quantization_config
    return "loaded with use_exllama=False on " + str(model.device)

"""A LoRA adapter merged into a base model loaded with AutoModel (the bare LlamaModel), saved, then used to generate."""

import json
import os
import tempfile

REQUIRES = ("torch", "transformers", "peft", "safetensors")
FIXES = (0, 1)


def _base(tied=False):
    """A tiny Llama with its LM head, saved like a hub checkpoint."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                      tie_word_embeddings=tied)
    path = os.path.join(tempfile.mkdtemp(), "base")
    LlamaForCausalLM(cfg).save_pretrained(path)
    return path


def _merge(model, out):
    """Attach a LoRA adapter (as after fine-tuning), merge it and save the result."""
    import torch
    from peft import LoraConfig, get_peft_model

    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    merged = peft_model.merge_and_unload()
    with torch.no_grad():
        merged.save_pretrained(out)
    return merged


def reproduce():
    import torch
    from transformers import AutoModel

    base = _base()
    model = AutoModel.from_pretrained(base)              # the bare LlamaModel: no lm_head
    out = os.path.join(os.path.dirname(base), "merged")
    merged = _merge(model, out)
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["architectures"] == ["LlamaModel"]
    merged.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=4)   # what the merged model is for


def fixed():
    import torch
    from safetensors import safe_open
    from transformers import AutoModel, AutoModelForCausalLM

    # fix 0: load the base with the task class, merge, save
    base = _base()
    out = os.path.join(os.path.dirname(base), "merged")
    _merge(AutoModelForCausalLM.from_pretrained(base), out)
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["architectures"] == ["LlamaForCausalLM"]
    with safe_open(os.path.join(out, "model.safetensors"), "pt") as f:
        keys = set(f.keys())
    assert "lm_head.weight" in keys and all(k.startswith(("model.", "lm_head.")) for k in keys)
    model, info = AutoModelForCausalLM.from_pretrained(out, output_loading_info=True)
    assert not info["missing_keys"], info
    model.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=4, do_sample=False)

    # fix 1: a tied-embedding model already saved bare loses nothing: re-save it through the task class
    tied = _base(tied=True)
    bare_out = os.path.join(os.path.dirname(tied), "merged-bare")
    _merge(AutoModel.from_pretrained(tied), bare_out)
    model = AutoModelForCausalLM.from_pretrained(bare_out)
    assert model.config.tie_word_embeddings
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    fixed_out = bare_out + "-fixed"
    model.save_pretrained(fixed_out)
    with open(os.path.join(fixed_out, "config.json")) as f:
        assert json.load(f)["architectures"] == ["LlamaForCausalLM"]
    again, info = AutoModelForCausalLM.from_pretrained(fixed_out, output_loading_info=True)
    assert not info["missing_keys"], info
    again.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=4, do_sample=False)

"""A Llama checkpoint whose config.json says "pretraining_tp": 2 (as Llama-2-13B's first configs did), loaded with
its linear layers in bitsandbytes 4-bit: LlamaAttention.forward of transformers 4.31-4.46 splits ``q_proj.weight``,
the packed ``Params4bit`` of shape ``[out*in/2, 1]``, into row blocks and calls ``F.linear`` on them, which raises
``RuntimeError: mat1 and mat2 shapes cannot be multiplied (5x64 and 1x64)``.

A tiny Llama (hidden size 64, 4 heads, one layer) is built from a config and saved; ``from_pretrained`` loads it and
every linear layer of the decoder is replaced by a ``bnb.nn.Linear4bit`` holding the same weights, quantized (nf4)
on the CPU as ``load_in_4bit`` does on a GPU (bitsandbytes >= 0.46 quantizes on the CPU; transformers' own 4-bit
loading needs CUDA). fixed(): fix 0, the same folder loaded with ``pretraining_tp=1`` passed to ``from_pretrained``:
the forward pass uses ``Linear4bit.forward`` and runs.

Needs transformers 4.45.2 (the last releases with the slicing path are 4.31-4.46) and bitsandbytes 0.47.0 as a
PYTHONPATH overlay (scripts/verify.py --overlays); elsewhere REQUIRES names a module that cannot exist and the test
skips it. Nothing downloads.
"""

import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.45.2", "tokenizers==0.20.3", "huggingface_hub==0.26.5", "bitsandbytes==0.47.0")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_transformers_4_31_to_4_46_and_bitsandbytes_0_46_or_later"
REQUIRES = ("torch", "transformers", "bitsandbytes") + (
    () if release_within("transformers", (4, 31), (4, 47)) and release_within("bitsandbytes", (0, 46)) else (OLD,))
FIXES = (0,)


def _saved_checkpoint():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                         num_attention_heads=4, num_key_value_heads=4, pretraining_tp=2)
    folder = tempfile.mkdtemp()
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def _quantize_4bit(module):
    """Every nn.Linear under ``module`` becomes a bitsandbytes Linear4bit with the same weights (nf4)."""
    import bitsandbytes as bnb
    import torch

    for name, child in list(module.named_children()):
        if isinstance(child, torch.nn.Linear):
            layer = bnb.nn.Linear4bit(child.in_features, child.out_features, bias=child.bias is not None,
                                      compute_dtype=torch.float32, quant_type="nf4")
            layer.weight = bnb.nn.Params4bit(child.weight.data.clone(), requires_grad=False, quant_type="nf4")
            setattr(module, name, layer.to("cpu"))
        else:
            _quantize_4bit(child)


def _forward(**overrides):
    import torch
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(_saved_checkpoint(), **overrides).eval()
    _quantize_4bit(model.model)
    with torch.no_grad():
        logits = model(torch.tensor([[1, 2, 3, 4, 5]])).logits
    return f"pretraining_tp={model.config.pretraining_tp}: logits {tuple(logits.shape)}"


def reproduce():
    return _forward()


def fixed():
    return _forward(pretraining_tp=1)

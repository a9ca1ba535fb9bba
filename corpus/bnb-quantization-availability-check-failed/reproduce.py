"""Load a tiny Llama (saved from a config) with BitsAndBytesConfig(load_in_4bit=True) where the check fails.

transformers' bitsandbytes quantizer checks its environment before loading (``validate_environment``): accelerate
importable (and recent enough), bitsandbytes importable (and, depending on the release, recent enough or with a
CUDA device). This venv has no bitsandbytes and no GPU, so the real ImportError is raised (transformers 5: "Using
`bitsandbytes` 4-bit quantization requires bitsandbytes: `pip install -U bitsandbytes>=0.46.1`"). Where bitsandbytes
is installed, transformers 5 passes this check on a CPU and the reproducer no longer raises this error. The fix
shown is the one for a machine without a GPU: load the model without bitsandbytes quantization, in bf16.
"""

import os
import tempfile

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (4,)


def _saved_tiny_llama():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    path = os.path.join(tempfile.mkdtemp(), "tiny-llama")
    LlamaForCausalLM(config).save_pretrained(path)
    return path


def reproduce():
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    AutoModelForCausalLM.from_pretrained(_saved_tiny_llama(), quantization_config=BitsAndBytesConfig(load_in_4bit=True))


def fixed():
    import torch
    from transformers import AutoModelForCausalLM

    # fix 4: no GPU here, so no bitsandbytes quantization: load the weights in bf16 instead
    model = AutoModelForCausalLM.from_pretrained(_saved_tiny_llama(), dtype=torch.bfloat16)
    assert model.dtype == torch.bfloat16 and not getattr(model, "is_loaded_in_4bit", False)
    logits = model(input_ids=torch.tensor([[1, 2, 3]])).logits
    assert logits.shape == (1, 3, 64)

"""A tiny gpt-oss model (GptOssConfig: 2 layers, 4 experts, hidden size 64, built locally, nothing downloaded) is
saved to a temporary folder and its config.json given gpt-oss's quantization_config (quant_method "mxfp4"), so
from_pretrained treats it as a pre-quantized MXFP4 checkpoint. On a machine without Triton, transformers'
Mxfp4HfQuantizer.validate_environment logs the real "MXFP4 quantization requires Triton: ... We will default to
dequantizing the model to bf16." warning (transformers 5.x, where a CPU counts as an MXFP4 device and needs Triton
>= 3.5) and loads the model dequantized. reproduce() returns what the terminal shows.

fixed() applies fix 1: the same load with quantization_config=Mxfp4Config(dequantize=True), the fine-tuning path:
no warning, the model loads and runs a forward pass. (Fix 0, installing Triton and kernels, needs a GPU build of
Triton and the kernel hub: a "check".)

transformers 4.55-4.57 print another sentence on a machine without a GPU ("Using MXFP4 quantized models requires a
GPU"), so the reproducer runs only with transformers >= 5.10 (verified with 5.25.0) and where Triton is not
importable; elsewhere it is skipped.
"""

import importlib.util

from kbfix.reproduce import release_within, run_script, succeeded

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (1,)

# these modules are never installed: they stand for "transformers >= 5.10" and "no Triton on this machine"
REQUIRES = REQUIRES + (() if release_within("transformers", (5, 10)) else ("kbfix_requires_transformers_5_10",))
REQUIRES = REQUIRES + (("kbfix_requires_no_triton",) if importlib.util.find_spec("triton") is not None else ())

WARNING = "default to dequantizing the model to bf16"

SCRIPT = '''
import json, os, sys, tempfile, warnings
warnings.filterwarnings("ignore")
import torch
from transformers import AutoModelForCausalLM, GptOssConfig, GptOssForCausalLM, Mxfp4Config
from transformers.utils import logging

logging.set_verbosity_warning()
torch.manual_seed(0)
cfg = GptOssConfig(vocab_size=64, hidden_size=64, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                   num_key_value_heads=2, head_dim=16, num_local_experts=4, num_experts_per_tok=2,
                   layer_types=["full_attention", "sliding_attention"], sliding_window=8)
folder = tempfile.mkdtemp()
GptOssForCausalLM(cfg).save_pretrained(folder)
path = os.path.join(folder, "config.json")
config = json.load(open(path))
config["quantization_config"] = {"quant_method": "mxfp4", "modules_to_not_convert": [
    "model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]}
json.dump(config, open(path, "w"))

kwargs = {"quantization_config": Mxfp4Config(dequantize=True)} if sys.argv[1] == "fixed" else {}
model = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
logits = model(torch.tensor([[1, 2, 3]])).logits
print("loaded", type(model.model.layers[0].mlp.experts).__name__, "forward", tuple(logits.shape))
'''


def reproduce():
    return succeeded(run_script(SCRIPT, args=("broken",), timeout=300), WARNING)


def fixed():
    output = succeeded(run_script(SCRIPT, args=("fixed",), timeout=300), "forward (1, 3, 64)")
    assert WARNING not in output, output
    return output

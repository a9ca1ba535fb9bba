"""A checkpoint published in block-wise FP8 the way DeepSeek-V3/R1 are (``config.json`` with
``"quantization_config": {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
"weight_block_size": [128, 128]}``, each decoder ``*_proj.weight`` stored as ``float8_e4m3fn`` beside its
``weight_scale_inv`` block scales), here a one-layer Llama built from a config and written locally (no network).

transformers 4.47 (the release of transformers#35471 and DeepSeek-V3#558) has no ``fp8`` in its quantizer registry:
``from_pretrained`` raises ``ValueError: Unknown quantization type, got fp8 - supported types are: [...]`` from
``AutoQuantizationConfig.from_dict`` before any weight is read. The environment's transformers is newer, so this needs
the old release IN FRONT of it, as an overlay (how it was checked):

    pip install --no-deps --target /tmp/tf447 "transformers==4.47.1" "tokenizers==0.21.0" "huggingface_hub==0.27.0"
    PYTHONPATH=/tmp/tf447:$PWD python -m pytest tests/test_reproducers.py -k checkpoint-quantization-method-unknown

Elsewhere REQUIRES names what is missing and the test skips it. fixed() applies fix 0, the upgrade: the same load with
the overlay taken off the path, so the environment's transformers (>= 4.49, which knows ``fp8``) loads the checkpoint
(on a machine without a GPU it dequantizes the FP8 weights to bf16, as it says) and runs a forward pass.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("transformers", (4, 49))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "a transformers release older than 4_49 as a PYTHONPATH overlay in front of transformers 4_49 or newer"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.47.1", "tokenizers==0.21.0", "huggingface_hub==0.27.0")
REQUIRES = ("torch", "transformers", "safetensors") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import json, os, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
import torch
from safetensors.torch import save_file
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM
print("transformers", transformers.__version__, flush=True)

cfg = LlamaConfig(vocab_size=64, hidden_size=128, intermediate_size=256, num_hidden_layers=1,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
torch.manual_seed(0)
state = {}
for name, t in LlamaForCausalLM(cfg).state_dict().items():
    t = t.detach().contiguous()
    if name.startswith("model.layers.") and name.endswith("proj.weight"):
        rows, cols = t.shape                  # block-wise FP8: one scale per 128 x 128 block
        state[name] = t.to(torch.float8_e4m3fn)
        state[name[: -len("weight")] + "weight_scale_inv"] = torch.ones((rows + 127) // 128, (cols + 127) // 128)
    else:
        state[name] = t
folder = os.path.join(work, "fp8-model")
os.makedirs(folder)
save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
config = cfg.to_dict()
config["architectures"] = ["LlamaForCausalLM"]
config["quantization_config"] = {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
                                 "weight_block_size": [128, 128]}
with open(os.path.join(folder, "config.json"), "w") as f:
    json.dump(config, f, indent=2)

model = AutoModelForCausalLM.from_pretrained(folder)
logits = model(torch.tensor([[1, 2, 3]])).logits
print("loaded", type(model).__name__, "logits", tuple(logits.shape), flush=True)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code != 0, "the old transformers loaded the fp8 checkpoint; it must be older than 4.49\n" + output
    assert "Unknown quantization type, got fp8" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "loaded LlamaForCausalLM logits (1, 3, 64)")

"""A LlamaConfig with the rope_scaling of Llama 3.1 (rope_type "llama3" and its three extra keys), built by a
transformers release that only validates {type, factor}.

Only transformers 4.31 to 4.42 raise it (4.43 added the llama3 rope type; 4.30 had no rope_scaling). The
environment's transformers is newer, so the old release is put IN FRONT of it as a PYTHONPATH overlay
(``scripts/verify.py --overlays`` installs ``OVERLAY``; verified with transformers 4.42.4, tokenizers 0.19.1,
huggingface_hub 0.24.7, numpy 1.26.4 in front of the environment's transformers 5.x); elsewhere REQUIRES names
what is missing and the test skips it.

reproduce() builds the config with the overlay's 4.42 and gets its real ValueError. fixed() applies fix 0, the
upgrade: the same config.json (a tiny Llama saved with the Llama 3.1 rope_scaling, as a 3.1 / 3.2 checkpoint holds
it) loaded by ``AutoConfig`` / ``AutoModelForCausalLM`` in a fresh process with the overlay taken off the path, so
the environment's transformers (>= 4.43) reads rope_type "llama3" and runs a forward pass.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("transformers", (4, 43))


def _old_release():
    from kbfix.reproduce import release_within

    return release_within("transformers", (4, 31), (4, 43))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "a transformers release from 4_31 to 4_42 as a PYTHONPATH overlay in front of transformers 4_43 or newer"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('transformers==4.42.4', 'tokenizers==0.19.1', 'huggingface_hub==0.24.7', 'numpy==1.26.4')
REQUIRES = ("torch", "transformers") + (() if _old_release() and _overlay() else (OLD,))
FIXES = (0,)

LLAMA_3_1_ROPE_SCALING = {
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
    "rope_type": "llama3",
}

# fix 0: the environment with the newer transformers (the overlay's old release gone), reading a saved
# checkpoint whose config.json carries the Llama 3.1 rope_scaling
UPGRADED = r'''
import json, os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM
from kbfix.reproduce import tiny_llama
print("transformers", transformers.__version__, flush=True)

folder = os.path.join(work, "llama-3.1-tiny")
tiny_llama().save_pretrained(folder)
path = os.path.join(folder, "config.json")
with open(path) as f:
    config = json.load(f)
config["rope_scaling"] = json.loads(sys.argv[1])      # what Meta-Llama-3.1-8B's config.json says
config["max_position_embeddings"] = 131072
with open(path, "w") as f:
    json.dump(config, f, indent=2)

loaded = AutoConfig.from_pretrained(folder)
rope = getattr(loaded, "rope_parameters", None) or loaded.rope_scaling
assert rope.get("rope_type") == "llama3", rope
model = AutoModelForCausalLM.from_pretrained(folder)
logits = model(torch.tensor([[1, 2, 3]])).logits
print("rope_type", rope["rope_type"], "loaded", type(model).__name__, "logits", tuple(logits.shape), flush=True)
'''


def reproduce():
    from transformers import LlamaConfig

    LlamaConfig(rope_scaling=dict(LLAMA_3_1_ROPE_SCALING))  # the config.json of Meta-Llama-3.1-8B


def fixed():
    import json

    overlay = _overlay()
    assert overlay, "no older transformers in front to take away"
    return succeeded(run_script(UPGRADED, args=(json.dumps(LLAMA_3_1_ROPE_SCALING),), timeout=300, without=overlay),
                     "rope_type llama3 loaded LlamaForCausalLM logits (1, 3, 64)")

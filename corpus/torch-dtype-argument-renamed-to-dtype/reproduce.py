"""A tiny Llama built from a config (no download), in a fresh process each time (the notice is logged with
warning_once, so a second run in the same process would be silent whatever it does):

reproduce(): AutoModelForCausalLM.from_config(config, torch_dtype=torch.float16), then config.torch_dtype is read, as
trainers and export scripts written before transformers 4.56 do. transformers logs "`torch_dtype` is deprecated! Use
`dtype` instead!"; the model is float16 and the script finishes. reproduce() returns what the terminal shows.

fixed(): fix 0, nothing was wrong: the run with the notice exited 0 with a float16 model. Fix 1: the same run with
dtype= and config.dtype: the same dtype, and no notice.

Only transformers 4.56 and later have the renamed argument; with an older release the test is skipped.
"""

from kbfix.reproduce import release_within, succeeded

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)

# this module is never installed: it stands for "a transformers release with the dtype= rename (4.56 or later)"
REQUIRES = REQUIRES + (() if release_within("transformers", (4, 56)) else ("kbfix_requires_transformers_4_56",))

NOTICE = "is deprecated! Use `dtype` instead!"

SCRIPT = '''
import sys

import torch
from transformers import AutoModelForCausalLM, LlamaConfig

fix = sys.argv[1:] == ["fixed"]
config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
if fix:   # fix 1: the new keyword and attribute
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float16)
    recorded = model.config.dtype
else:
    model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float16)
    recorded = model.config.torch_dtype
assert model.dtype == torch.float16, model.dtype
print("model dtype", model.dtype, "config dtype", recorded, flush=True)
'''


def _run(*args):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=args, timeout=180)


def reproduce():
    return succeeded(_run(), NOTICE, "model dtype torch.float16")


def fixed():
    # fix 0: nothing to fix, the run with the notice finished with the float16 model it asked for
    succeeded(_run(), "model dtype torch.float16")
    # fix 1: dtype= and config.dtype: the same dtype, no notice
    code, quiet = _run("fixed")
    assert code == 0 and "model dtype torch.float16" in quiet and NOTICE not in quiet, quiet
    return quiet

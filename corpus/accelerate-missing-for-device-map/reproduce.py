"""from_pretrained(device_map=...) in a Python where accelerate cannot be found.

A child interpreter stands for the environment without accelerate: ``sys.modules["accelerate"] = None`` before
transformers is imported makes ``importlib.util.find_spec("accelerate")`` return None, exactly what transformers'
``is_accelerate_available()`` sees when the package is not installed in that interpreter. transformers 5.x then raises
the real ValueError from ``check_and_set_device_map`` (4.x: the ImportError "Using `low_cpu_mem_usage=True` or a
`device_map` requires Accelerate"). fixed(): fix 0, the same load where accelerate is installed (the environment this
runs in) loads the tiny model with device_map="cpu". CPU only, nothing downloaded.
"""

import os
import subprocess
import sys
import tempfile

REQUIRES = ("transformers", "torch", "accelerate")
FIXES = (0,)

SCRIPT = '''
import sys
if {hide}:
    sys.modules["accelerate"] = None   # not installed in this interpreter
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM
config = LlamaConfig(vocab_size=16, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=1)
LlamaForCausalLM(config).save_pretrained({folder!r})
model = AutoModelForCausalLM.from_pretrained({folder!r}, device_map="cpu")
print("loaded on", model.device)
'''


def _run(hide):
    folder = tempfile.mkdtemp(prefix="kbfix-devmap-")
    code = SCRIPT.format(hide=hide, folder=folder)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=300)


def reproduce():
    result = _run(hide=True)
    return result.stdout + result.stderr


def fixed():
    result = _run(hide=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout

"""A local model folder whose own code is older than the demo script that uses it: like Qwen-7B-Chat's
modeling_qwen.py before 2023-08-04, its ``QWenLMHeadModel.chat()`` takes no ``stream`` argument, while the
repository's newer cli_demo.py calls ``model.chat(tokenizer, query, history=..., stream=True)``. The tiny model is
loaded from the folder with trust_remote_code=True by the installed transformers, and the call raises the real
``TypeError: QWenLMHeadModel.chat() got an unexpected keyword argument 'stream'``. fixed() applies fix 0: the
folder's modeling file is replaced by the repository's newer revision (the weights stay), the demo runs again
in a new process and the same call streams. CPU only, nothing downloaded.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

REQUIRES = ("torch", "transformers")
FIXES = (0,)

CONFIG_CODE = '''
from transformers import PretrainedConfig


class QWenConfig(PretrainedConfig):
    model_type = "qwen"

    def __init__(self, hidden_size=8, vocab_size=32, **kwargs):
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        super().__init__(**kwargs)
'''

MODEL_CODE = '''
import torch
from transformers import PreTrainedModel

from .configuration_qwen import QWenConfig


class QWenLMHeadModel(PreTrainedModel):
    config_class = QWenConfig

    def __init__(self, config):
        super().__init__(config)
        self.wte = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.post_init()

    def forward(self, input_ids):
        return self.wte(input_ids)

    def chat(self, tokenizer, query, history=None{NEW_ARGS}):
        response = "echo: " + query
{NEW_BODY}        return response, (history or []) + [(query, response)]
'''

OLD = MODEL_CODE.replace("{NEW_ARGS}", "").replace("{NEW_BODY}", "")
NEW = MODEL_CODE.replace("{NEW_ARGS}", ", stream=False").replace(
    "{NEW_BODY}", "        if stream:\n            return iter([response])\n")


def _folder(root, modeling_code):
    import torch
    from safetensors.torch import save_file

    folder = os.path.join(root, "Qwen-7B-Chat")
    os.makedirs(folder)
    with open(os.path.join(folder, "configuration_qwen.py"), "w") as f:
        f.write(CONFIG_CODE)
    with open(os.path.join(folder, "modeling_qwen.py"), "w") as f:
        f.write(modeling_code)
    config = {
        "model_type": "qwen",
        "architectures": ["QWenLMHeadModel"],
        "auto_map": {"AutoConfig": "configuration_qwen.QWenConfig", "AutoModelForCausalLM": "modeling_qwen.QWenLMHeadModel"},
        "hidden_size": 8,
        "vocab_size": 32,
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    save_file({"wte.weight": torch.full((32, 8), 0.25)}, os.path.join(folder, "model.safetensors"))
    return folder


def _demo(folder):
    """What the newer cli_demo.py does."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, trust_remote_code=True)
    for response in model.chat(None, "hello", history=[], stream=True):
        pass
    return model, response


def reproduce():
    with tempfile.TemporaryDirectory() as root:
        _demo(_folder(root, OLD))


def fixed():
    with tempfile.TemporaryDirectory() as root:
        folder = _folder(root, OLD)
        with tempfile.TemporaryDirectory() as hub:               # the repository's current revision
            with open(os.path.join(hub, "modeling_qwen.py"), "w") as f:
                f.write(NEW)
            shutil.copy(os.path.join(hub, "modeling_qwen.py"), folder)   # fix 0: code files only
        # the script is run again in a new process: a process (a notebook kernel) that already imported the old
        # class keeps it registered for the unchanged config class
        code = (f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); import reproduce; "
                f"model, response = reproduce._demo({folder!r}); "
                "assert float(model.wte.weight.detach().mean()) == 0.25; print('streamed', repr(response))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

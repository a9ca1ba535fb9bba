"""A local model folder whose own code is older than the demo script that uses it: like Qwen-7B-Chat's
modeling_qwen.py before 2023-08-04, its ``QWenLMHeadModel.chat()`` takes no ``stream`` argument, while the
repository's newer cli_demo.py calls ``model.chat(tokenizer, query, history=..., stream=True)``. The tiny model is
loaded from the folder with trust_remote_code=True by the installed transformers, and the call raises the real
``TypeError: QWenLMHeadModel.chat() got an unexpected keyword argument 'stream'``. fixed() applies fix 0: the
folder's modeling file is replaced by the repository's newer revision (the weights stay), the demo runs again
in a new process and the same call streams. CPU only, nothing downloaded.
"""

import os
import shutil
import subprocess
import sys
import tempfile

from kbfix.reproduce import remote_code_model

REQUIRES = ("torch", "transformers")
FIXES = (0,)

OLD_CHAT = '''
    def chat(self, tokenizer, query, history=None):
        response = "echo: " + query
        return response, (history or []) + [(query, response)]
'''
NEW_CHAT = '''
    def chat(self, tokenizer, query, history=None, stream=False):
        response = "echo: " + query
        if stream:
            return iter([response])
        return response, (history or []) + [(query, response)]
'''


def _folder(root, chat, name="Qwen-7B-Chat", weights=True):
    import torch
    from safetensors.torch import save_file

    folder = remote_code_model(os.path.join(root, name), "qwen", "QWenConfig", "QWenLMHeadModel",
                               auto_class="AutoModelForCausalLM", embedding="wte", methods=chat)
    if weights:
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
        _demo(_folder(root, OLD_CHAT))


def fixed():
    with tempfile.TemporaryDirectory() as root:
        folder = _folder(root, OLD_CHAT)
        hub = _folder(root, NEW_CHAT, name="hub-revision", weights=False)   # the repository's current revision
        shutil.copy(os.path.join(hub, "modeling_qwen.py"), folder)           # fix 0: code files only
        # the script is run again in a new process: a process (a notebook kernel) that already imported the old
        # class keeps it registered for the unchanged config class
        code = (f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); import reproduce; "
                f"model, response = reproduce._demo({folder!r}); "
                "assert float(model.wte.weight.detach().mean()) == 0.25; print('streamed', repr(response))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

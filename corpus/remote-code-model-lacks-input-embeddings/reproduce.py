"""A tiny trust_remote_code model written the way remote code often is (Baichuan-13B, ChatGLM2 in their first weeks):
the token embedding lives under a name of its own (``word_embeddings``, not the ``embed_tokens`` that transformers >=
4.54 finds by itself) and the modeling file overrides neither get_input_embeddings nor set_input_embeddings. The model
is loaded from its folder by the installed transformers with trust_remote_code=True; resize_token_embeddings (what
PEFT's AutoPeftModelForCausalLM, LMFlow and DeepSpeed-Chat call) then reaches transformers' accessor, which raises the
real NotImplementedError: bare up to 4.53, "`get_input_embeddings` not auto-handled for ..." from 4.54 on.

fixed() loads the same model with the two methods added to its modeling file (fix 1) and patches them onto a loaded
instance of the original class (fix 2); resize_token_embeddings works on both. Each load is a fresh folder and
module name; CPU only, nothing downloaded.
"""

import os
import tempfile
import types

from kbfix.reproduce import remote_code_model

REQUIRES = ("transformers", "torch")
FIXES = (1, 2)

ACCESSORS = '''
    def get_input_embeddings(self):
        return self.word_embeddings

    def set_input_embeddings(self, value):
        self.word_embeddings = value
'''


def _load(root, name, methods=""):
    import torch
    from transformers import AutoConfig, AutoModel

    folder = remote_code_model(os.path.join(root, name), name, f"{name.title()}Config", f"{name.title()}Model",
                               embedding="word_embeddings", methods=methods)
    config = AutoConfig.from_pretrained(folder, trust_remote_code=True)
    torch.manual_seed(0)
    return AutoModel.from_config(config, trust_remote_code=True)


def reproduce():
    with tempfile.TemporaryDirectory() as root:
        model = _load(root, "tinyremote")
        model.resize_token_embeddings(40, mean_resizing=False)   # raises the real NotImplementedError


def _check(model):
    import torch

    model.resize_token_embeddings(40, mean_resizing=False)
    assert model.get_input_embeddings() is model.word_embeddings
    assert model.get_input_embeddings().num_embeddings == 40
    assert model(torch.tensor([[1, 39]])).shape == (1, 2, 8)


def fixed():
    with tempfile.TemporaryDirectory() as root:
        _check(_load(root, "tinyfixed", methods=ACCESSORS))       # fix 1: the modeling file implements both methods
        model = _load(root, "tinypatched")                         # fix 2: patch the loaded instance
        model.get_input_embeddings = types.MethodType(lambda self: self.word_embeddings, model)
        model.set_input_embeddings = types.MethodType(
            lambda self, value: setattr(self, "word_embeddings", value), model)
        _check(model)
    return "resize_token_embeddings(40) works with the accessors in the modeling file and patched on the instance\n"

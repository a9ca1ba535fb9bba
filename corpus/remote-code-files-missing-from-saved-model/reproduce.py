"""A tiny model with its own code (configuration_toyglm.py, modeling_toyglm.py, auto_map in config.json) is
loaded from a local folder with trust_remote_code=True and saved the way training and merge scripts often do:
config.json and the weights only. Loading the saved folder fails in the installed transformers
(``OSError: ... does not appear to have a file named configuration_toyglm.py``). fixed() applies fix 0: the
model's *.py files are copied from the original folder, and the saved folder loads with the trained weights.
CPU only, nothing downloaded.
"""

import glob
import json
import os
import shutil
import tempfile

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0,)

CONFIG_CODE = '''
from transformers import PretrainedConfig


class ToyGLMConfig(PretrainedConfig):
    model_type = "toyglm"

    def __init__(self, hidden_size=8, vocab_size=32, **kwargs):
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        super().__init__(**kwargs)
'''

MODEL_CODE = '''
import torch
from transformers import PreTrainedModel

from .configuration_toyglm import ToyGLMConfig


class ToyGLMModel(PreTrainedModel):
    config_class = ToyGLMConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.post_init()

    def forward(self, input_ids):
        return self.embed(input_ids)
'''


def _original(root):
    folder = os.path.join(root, "toyglm-base")
    os.makedirs(folder)
    with open(os.path.join(folder, "configuration_toyglm.py"), "w") as f:
        f.write(CONFIG_CODE)
    with open(os.path.join(folder, "modeling_toyglm.py"), "w") as f:
        f.write(MODEL_CODE)
    config = {
        "model_type": "toyglm",
        "architectures": ["ToyGLMModel"],
        "auto_map": {"AutoConfig": "configuration_toyglm.ToyGLMConfig", "AutoModel": "modeling_toyglm.ToyGLMModel"},
        "hidden_size": 8,
        "vocab_size": 32,
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    return folder


def _train_and_save(root):
    """Load the remote-code model, 'train' it, and save config + weights the way a custom script does."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModel

    base = _original(root)
    config = AutoConfig.from_pretrained(base, trust_remote_code=True)
    model = AutoModel.from_config(config, trust_remote_code=True)
    with torch.no_grad():
        model.embed.weight.fill_(0.5)
    saved = os.path.join(root, "checkpoint-100")
    os.makedirs(saved)
    model.config.to_json_file(os.path.join(saved, "config.json"))       # keeps auto_map
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(saved, "model.safetensors"))
    return base, saved


def reproduce():
    from transformers import AutoModel

    with tempfile.TemporaryDirectory() as root:
        _, saved = _train_and_save(root)
        AutoModel.from_pretrained(saved, trust_remote_code=True)


def fixed():
    from transformers import AutoModel

    with tempfile.TemporaryDirectory() as root:
        base, saved = _train_and_save(root)
        for code_file in glob.glob(os.path.join(base, "*.py")):      # fix 0: cp <base>/*.py <saved>/
            shutil.copy(code_file, saved)
        model = AutoModel.from_pretrained(saved, trust_remote_code=True)
        assert float(model.embed.weight.detach().mean()) == 0.5
        return f"loaded {type(model).__name__} from the saved folder with its trained weights"

"""A tiny model with its own code (configuration_toyglm.py, modeling_toyglm.py, auto_map in config.json) is
loaded from a local folder with trust_remote_code=True and saved the way training and merge scripts often do:
config.json and the weights only. Loading the saved folder fails in the installed transformers
(``OSError: ... does not appear to have a file named configuration_toyglm.py``). fixed() applies fix 0: the
model's *.py files are copied from the original folder, and the saved folder loads with the trained weights.
CPU only, nothing downloaded.
"""

import glob
import os
import shutil
import tempfile

from kbfix.reproduce import remote_code_model

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0,)


def _original(root):
    return remote_code_model(os.path.join(root, "toyglm-base"), "toyglm", "ToyGLMConfig", "ToyGLMModel")


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

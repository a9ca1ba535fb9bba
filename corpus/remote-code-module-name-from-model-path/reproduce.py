"""A remote-code model in a folder whose name holds a dot (``tiny-chat-v1.1``, like ``chatglm-6b-v1.1``,
``Qwen1.5-7B``, ``MiniCPM-V-2.0``): transformers 4.27-4.56 build the dynamic module's name from the folder name
as it is, so the dot splits it, and the remote code's relative import (``from .configuration_tiny import ...``,
as ChatGLM, Qwen, MiniCPM and dots.ocr do) asks Python for the package ``transformers_modules.tiny-chat-v1``:
``ModuleNotFoundError: No module named 'transformers_modules.tiny-chat-v1'``.

The installed transformers may be >= 4.57, which sanitises the name in ``get_cached_module_file`` (``.`` ->
``_dot_``, ``-`` -> ``_hyphen_``) and no longer fails. So reproduce() lays the remote code out where 4.40-4.56's
``get_cached_module_file`` put it (``submodule = os.path.basename(path)``, the real ``create_dynamic_module``)
and imports it with the installed, real ``get_class_in_module``: the error is Python's import system refusing
the dotted name, the same as in those releases. fixed() loads the same folder copied under a plain name through
the real ``AutoConfig`` / ``AutoModel.from_pretrained(..., trust_remote_code=True)`` (fix 0), and the dotted
folder itself through the installed release's ``from_pretrained`` (fix 1: a release that sanitises the name).
Each run is a fresh interpreter with its own ``HF_MODULES_CACHE``; nothing is downloaded. CPU only.
"""

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)

SETUP = r'''
import os, shutil, sys, tempfile
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_MODULES_CACHE"] = tempfile.mkdtemp(prefix="hf_modules_")

from kbfix.reproduce import remote_code_model


def remote_code_folder(parent, name):
    # configuration_tiny.py / modeling_tiny.py, the modeling file importing the config relatively
    # (``from .configuration_tiny import TinyConfig``), as ChatGLM / Qwen / MiniCPM remote code does
    return remote_code_model(os.path.join(parent, name), "tiny", "TinyConfig", "TinyModel")


models = tempfile.mkdtemp(prefix="models_")
'''

FAILING = SETUP + r'''
from transformers.dynamic_module_utils import TRANSFORMERS_DYNAMIC_MODULE_NAME, create_dynamic_module, get_class_in_module
from transformers.utils import HF_MODULES_CACHE

model_path = remote_code_folder(models, "tiny-chat-v1.1")          # e.g. models/chatglm-6b-v1.1, Qwen1.5-7B
# transformers 4.40-4.56 get_cached_module_file for a local folder: submodule = os.path.basename(path), no sanitising
submodule = os.path.basename(model_path)
full_submodule = TRANSFORMERS_DYNAMIC_MODULE_NAME + os.path.sep + submodule
create_dynamic_module(full_submodule)
for name in ("modeling_tiny.py", "configuration_tiny.py"):
    shutil.copyfile(os.path.join(model_path, name), os.path.join(HF_MODULES_CACHE, full_submodule, name))
# get_class_from_dynamic_module -> get_class_in_module(class_name, "transformers_modules/tiny-chat-v1.1/modeling_tiny.py")
model_class = get_class_in_module("TinyModel", os.path.join(full_submodule, "modeling_tiny.py"))
print("loaded", model_class)
'''

PLAIN_NAME = SETUP + r'''
import torch
from transformers import AutoConfig, AutoModel

dotted = remote_code_folder(models, "tiny-chat-v1.1")
plain = os.path.join(models, "tiny_chat_v1_1")                      # fix 0: the same files under a plain folder name
shutil.copytree(dotted, plain)
config = AutoConfig.from_pretrained(plain, trust_remote_code=True)
model = AutoModel.from_config(config, trust_remote_code=True)
print("plain folder:", type(model).__module__, tuple(model(torch.tensor([[1, 2]])).shape))
'''

INSTALLED_RELEASE = SETUP + r'''
import torch, transformers
from transformers import AutoConfig, AutoModel

dotted = remote_code_folder(models, "tiny-chat-v1.1")               # fix 1: a release that sanitises the name (>= 4.57)
config = AutoConfig.from_pretrained(dotted, trust_remote_code=True)
model = AutoModel.from_config(config, trust_remote_code=True)
print("transformers", transformers.__version__, "dotted folder:", type(model).__module__, tuple(model(torch.tensor([[1, 2]])).shape))
'''


def reproduce():
    return failed(run_script(FAILING, timeout=240))


def fixed():
    output = succeeded(run_script(PLAIN_NAME, timeout=240), "plain folder: transformers_modules.tiny_chat_v1_1")
    from kbfix.reproduce import release_within
    if release_within("transformers", (4, 57)):
        output += succeeded(run_script(INSTALLED_RELEASE, timeout=240), "dotted folder:", "(1, 2, 8)")
    return output

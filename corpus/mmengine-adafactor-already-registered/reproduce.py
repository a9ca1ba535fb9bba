"""mmengine <= 0.10.5 under torch >= 2.5 with transformers installed: ``import mmengine.optim`` (every mmengine runner,
xtuner's ``train`` / ``convert``, mmdet / mmseg / mmpose training scripts, modelscope's mmengine-based models) raises
``KeyError: 'Adafactor is already registered in optimizer at torch.optim'``.

reproduce(): mmengine 0.10.5's ``mmengine/optim/optimizer/builder.py`` registers every optimizer class of
``torch.optim`` by its class name (``register_torch_optimizers``), then transformers' ``Adafactor`` under the name
``Adafactor`` (``register_transformers_optimizers``). torch 2.5 added ``torch.optim.Adafactor``, so the second
registration finds the name taken and ``Registry._register_module`` raises. The import runs in a fresh interpreter.
fixed(): fixes 0 and 2, the change mmengine 0.10.6 made (open-mmlab/mmengine commit 2e0ab7a, "register torch's Adafactor as
TorchAdafactor"), applied to a copy of the same mmengine 0.10.5 sources placed in front of sys.path: the import
succeeds and both optimizers are in the registry (what ``pip install -U "mmengine>=0.10.6"`` gives, and what
the hand edit of fix 2 does to the installed copy).

The test environment has no mmengine: ``scripts/verify.py --overlays`` installs the pins below (mmengine and the
three pure-Python packages its import reaches; numpy, pyyaml, rich, torch and transformers come from the environment).
"""

import importlib.util
import os
import shutil
import tempfile

from kbfix.reproduce import failed, release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("mmengine==0.10.5", "addict==2.4.0", "yapf==0.43.0", "termcolor==3.3.0")
REQUIRES = ("mmengine", "addict", "yapf", "termcolor", "torch", "transformers") + (
    () if release_within("mmengine", (0, 0), (0, 10, 6)) else ("kbfix_requires_mmengine_0_10_5_or_older",)) + (
    () if release_within("torch", (2, 5)) else ("kbfix_requires_torch_2_5_or_newer",))
FIXES = (0, 2)

SCRIPT = r'''
import sys
if len(sys.argv) > 1:
    sys.path.insert(0, sys.argv[1])        # fix 0: mmengine with the 0.10.6 registration in front
import torch, transformers
import mmengine
from mmengine.optim import OPTIMIZERS
print("mmengine", mmengine.__version__, "torch", torch.__version__, "transformers", transformers.__version__)
print("registered:", OPTIMIZERS.get("Adafactor").__module__, OPTIMIZERS.get("TorchAdafactor").__module__)
'''

OLD = "            OPTIMIZERS.register_module(module=_optim)\n            torch_optimizers.append(module_name)"
NEW = ("            if module_name == 'Adafactor':\n"
       "                OPTIMIZERS.register_module(\n"
       "                    name='TorchAdafactor', module=_optim)\n"
       "            else:\n"
       "                OPTIMIZERS.register_module(module=_optim)\n"
       "            torch_optimizers.append(module_name)")


def reproduce():
    return failed(run_script(SCRIPT, timeout=300))


def fixed():
    source = os.path.dirname(importlib.util.find_spec("mmengine").origin)
    with tempfile.TemporaryDirectory() as folder:
        copy = os.path.join(folder, "mmengine")
        shutil.copytree(source, copy)
        builder = os.path.join(copy, "optim", "optimizer", "builder.py")
        with open(builder, encoding="utf-8") as f:
            text = f.read()
        assert OLD in text, "not mmengine 0.10.5's register_torch_optimizers"
        with open(builder, "w", encoding="utf-8") as f:
            f.write(text.replace(OLD, NEW, 1))
        return succeeded(run_script(SCRIPT, args=(folder,), timeout=300), "registered: transformers")

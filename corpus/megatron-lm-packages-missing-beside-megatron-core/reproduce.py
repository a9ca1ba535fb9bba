"""megatron-core installed from its wheel, then Megatron-LM's training code imported: No module named 'megatron.training'.

The megatron-core wheel (0.12.0 here, as the ``OVERLAY`` that ``scripts/verify.py --overlays`` installs in front of the
environment) holds ``megatron/core`` only: Megatron-LM's ``pyproject.toml`` builds it with
``packages.find include = ["megatron.core", "megatron.core.*"]``, and ``megatron`` is a namespace package. The script
imports ``megatron.core`` (it works) and then ``from megatron.training import get_args``, as ms-swift's megatron mode,
verl's and slime's Megatron backends and Megatron-LM's examples do: the real ``ModuleNotFoundError``.

fixed() applies fix 0, a Megatron-LM checkout first on ``PYTHONPATH``. The reproducer runs offline, so the checkout is a
folder shaped like one for what this error is about: ``megatron/training/__init__.py`` (the package a checkout adds over
the wheel), with a stand-in ``get_args``. The namespace package then spans both folders: ``megatron.core`` still comes
from the wheel and ``megatron.training`` from the checkout, and the same imports succeed.
"""

import os
import tempfile
from pathlib import Path

from kbfix.reproduce import failed, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("megatron-core==0.12.0",)
REQUIRES = ("torch", "megatron")
FIXES = (0,)

SCRIPT = r'''
import megatron.core
print("megatron-core", megatron.core.__version__, "from", os.path.dirname(megatron.core.__file__), flush=True)
from megatron.training import get_args
import megatron.training
print("megatron.training from", os.path.dirname(megatron.training.__file__), flush=True)
'''


def _script() -> str:
    return "import os\n" + SCRIPT


def reproduce():
    return failed(run_script(_script()))


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        training = Path(folder) / "Megatron-LM" / "megatron" / "training"
        training.mkdir(parents=True)
        (training / "__init__.py").write_text("def get_args():\n    return None\n", encoding="utf-8")
        checkout = str(training.parent.parent)
        path = os.pathsep.join(p for p in (checkout, os.environ.get("PYTHONPATH", "")) if p)
        output = succeeded(run_script(_script(), env={"PYTHONPATH": path}), "megatron.training from")
    return "\n".join(line for line in output.splitlines() if line.startswith(("megatron-core ", "megatron.training "))) + "\n"

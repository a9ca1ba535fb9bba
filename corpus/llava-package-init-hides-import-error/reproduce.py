"""LLaVA (``llava-torch`` 1.2.2.post1, the PyPI release of haotian-liu/LLaVA) installed without the dependencies it
pins, as ``pip install --no-deps`` or a later reinstall of other packages leaves it: here Pillow is missing.
``llava/model/__init__.py`` imports ``language_model.llava_llama`` inside ``try: ... except: pass``; that import fails
deep inside (``llava/mm_utils.py``: ``from PIL import Image`` -> ``No module named 'PIL'``), the error is dropped, and
``llava/__init__.py`` line 1 (``from .model import LlavaLlamaForCausalLM``) raises ``ImportError: cannot import name
'LlavaLlamaForCausalLM' from 'llava.model'``. reproduce() imports the real package in a fresh interpreter that sees
llava (linked alone into a temporary folder) in front of the environment, whose Pillow is absent.

fixed() applies fix 2, the set of releases LLaVA pins installed (the overlay: transformers 4.36.2, tokenizers,
accelerate and Pillow beside llava-torch): ``import llava`` and ``from llava.model import LlavaLlamaForCausalLM``
succeed.

Needs llava-torch with transformers 4.36.x-4.37.x (verified with 4.36.2) and Pillow as a PYTHONPATH overlay
(scripts/verify.py --overlays), and an environment behind it without Pillow; elsewhere REQUIRES names a module that
cannot exist and the test skips it. Nothing downloads.
"""

import importlib.machinery
import importlib.util
import os
import sys

from kbfix.reproduce import release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("llava-torch==1.2.2.post1", "transformers==4.36.2", "tokenizers==0.15.2", "huggingface_hub==0.24.7",
           "accelerate==0.27.2", "pillow==11.3.0")


def _llava_folder():
    """The sys.path folder llava imports from, or None."""
    spec = importlib.util.find_spec("llava")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(os.path.realpath(list(spec.submodule_search_locations)[0]))


def _pillow_behind(folder):
    """Whether Pillow is importable from the environment without the llava overlay folder."""
    rest = [p for p in sys.path if os.path.realpath(p or ".") != folder]
    return importlib.machinery.PathFinder.find_spec("PIL", rest) is not None


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_llava_with_transformers_4_36_to_4_37"
NO_PIL = "kbfix_requires_an_environment_without_pillow_behind_the_llava_overlay"
_FOLDER = _llava_folder()
REQUIRES = ("torch", "transformers", "accelerate", "llava", "PIL") + (
    () if release_within("transformers", (4, 36), (4, 38)) else (OLD,)) + (
    () if _FOLDER is None or not _pillow_behind(_FOLDER) else (NO_PIL,))
FIXES = (2,)

SCRIPT = r'''
import os, sys, tempfile
overlay, mode = sys.argv[1], sys.argv[2]
if mode == "no-deps":                      # llava alone in front of the environment (its pinned dependencies absent)
    alone = tempfile.mkdtemp()
    os.symlink(os.path.join(overlay, "llava"), os.path.join(alone, "llava"))
    sys.path[:] = [alone] + [p for p in sys.path if os.path.realpath(p or ".") != overlay]
import llava
from llava.model import LlavaLlamaForCausalLM
print("imported", LlavaLlamaForCausalLM.__name__, "from", os.path.dirname(llava.__file__), flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(_FOLDER or "", mode), env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
                      timeout=300)


def reproduce():
    code, output = _run("no-deps")
    assert code != 0 and "cannot import name 'LlavaLlamaForCausalLM' from 'llava.model'" in output, output
    return output


def fixed():
    return succeeded(_run("pinned"), "imported LlavaLlamaForCausalLM")

"""A torchvision wheel built for another torch next to the installed one: its compiled ops library (``_C.so`` /
``_C_stable.so``) cannot be loaded, torchvision swallows that, and ``torchvision/_meta_registrations.py`` then raises
the real ``RuntimeError: operator torchvision::nms does not exist`` at ``import torchvision`` (0.17+; through
transformers' image processors the same error surfaces as "Failed to import transformers...").

It needs such a wheel importable: with the CPU-only torch of this project, any Linux torchvision wheel from PyPI is one
(they are CUDA builds, and paired with a torch release of their own), e.g.
``pip install --no-deps --target /tmp/tv torchvision==0.29.1`` (built for torch 2.14) or ``==0.28.0`` (torch 2.13, but the
CUDA build) and ``PYTHONPATH=/tmp/tv``; that is how it was checked. Where torchvision is absent, or the installed one is
paired with the installed torch (same release rule 0.(x+15) and the same build tag), the test skips it: REQUIRES then
names what is missing.

reproduce() imports torchvision in a fresh interpreter and returns what it printed. fixed() applies fix 1: with
torchvision uninstalled (hidden from the import system, as ``pip uninstall -y torchvision`` leaves it), transformers reports
it unavailable and a text-only causal LM still builds and takes a training step.
"""

from kbfix.reproduce import succeeded

MISMATCH = "a torchvision wheel built for another torch"


def _paired_with_installed_torch():
    """True when the installed torchvision is the release and build paired with the installed torch (read from the
    package metadata only: importing a mismatched torchvision is what fails)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tv, torch = version("torchvision"), version("torch")
    except PackageNotFoundError:
        return False
    tv_base, _, tv_tag = tv.partition("+")
    torch_base, _, torch_tag = torch.partition("+")
    major, minor, *rest = (tv_base.split(".") + ["0"])[:3]
    if major != "0" or not minor.isdigit() or int(minor) < 15:
        return False
    paired = ".".join(["2", str(int(minor) - 15)] + rest)
    return torch_base.startswith(paired.rsplit(".", 1)[0]) and tv_tag == torch_tag


# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('torchvision==0.29.1',)
REQUIRES = ("torch", "torchvision", "transformers") + ((MISMATCH,) if _paired_with_installed_torch() else ())
FIXES = (1,)

BROKEN = '''
from importlib.metadata import version
import torch

print("torch", torch.__version__, "torchvision (installed)", version("torchvision"))
from torchvision import transforms       # a VLM / image fine-tuning script; transformers' image processors do the same
print("torchvision imported")
'''

UNINSTALLED = '''
import sys
sys.modules["torchvision"] = None        # what `pip uninstall -y torchvision` leaves: the import fails, find_spec is None
import torch
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.utils import is_torchvision_available

torch.manual_seed(0)
config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=2)
model = LlamaForCausalLM(config)
ids = torch.randint(0, 64, (2, 8))
loss = model(input_ids=ids, labels=ids).loss
loss.backward()
print("torchvision available:", is_torchvision_available(), "text-only step ran, loss", round(loss.item(), 3))
'''


def reproduce():
    from kbfix.reproduce import run_script

    code, output = run_script(BROKEN, timeout=240)
    assert code != 0 and "torchvision imported" not in output, (
        "the installed torchvision loads with this torch; the reproducer needs one built for another torch\n" + output)
    return output


def fixed():
    from kbfix.reproduce import run_script

    return succeeded(run_script(UNINSTALLED, timeout=240), "torchvision available: False text-only step ran")

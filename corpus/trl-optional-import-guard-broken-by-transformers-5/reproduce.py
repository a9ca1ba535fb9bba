"""TRL 0.24 under transformers 5: ``from trl import GRPOTrainer`` fails on ``No module named 'mergekit'``.

trl 0.24.0 sets ``_mergekit_available = _is_package_available("mergekit")`` from transformers' private helper, which
returns ``(False, None)`` under transformers 5 (a truthy tuple), so ``trl/mergekit_utils.py`` imports mergekit behind
``if is_mergekit_available():`` although it is not installed; trl's lazy module raises ``RuntimeError: Failed to import
trl.trainer.grpo_trainer ... No module named 'mergekit'``. The environment's transformers is 5.x and has no trl: trl
0.24.0 is the ``OVERLAY`` (``scripts/verify.py --overlays``); elsewhere the test skips this.

fixed() applies fix 2 (the workaround): the ``*_available`` flags of ``trl.import_utils`` turned back into booleans
before the trainer is imported; mergekit stays absent and GRPOTrainer imports. Fixes 0 and 1 (trl >= 0.29, or
transformers < 5) are version changes checked by their ``check``.
"""

from kbfix.reproduce import failed, run_script, succeeded

OVERLAY = ("trl==0.24.0",)
REQUIRES = ("transformers", "trl")
FIXES = (2,)

SCRIPT = r'''
import sys
import importlib.util
import transformers, trl
print("transformers", transformers.__version__, "trl", trl.__version__, flush=True)
assert importlib.util.find_spec("mergekit") is None, "mergekit must not be installed for this reproducer"
if sys.argv[1:] == ["patch"]:
    import trl.import_utils as iu
    for name in list(vars(iu)):
        if name.endswith("_available") and isinstance(getattr(iu, name), tuple):
            setattr(iu, name, getattr(iu, name)[0])
from trl import GRPOTrainer
print("imported", GRPOTrainer.__name__, flush=True)
'''

OFFLINE = {"HF_HUB_OFFLINE": "1"}


def reproduce():
    output = failed(run_script(SCRIPT, env=OFFLINE, timeout=300))
    assert "No module named" in output, output
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("patch",), env=OFFLINE, timeout=300), "imported GRPOTrainer")

"""accelerate 0.32-0.33 resuming a state whose random states it cannot read: KeyError: 'step' in Accelerator.load_state.

A state folder is saved with the running accelerate, then ``step`` is removed from ``random_states_0.pkl`` (the pickle
accelerate <= 0.31 writes has none). accelerate 0.33.0 swallows the failed read of that key ("Could not load random
states") and then raises ``KeyError: 'step'`` from ``self.step = override_attributes["step"]``. Under torch >= 2.6 the same
release fails on an untouched folder too (torch.load's weights_only default refuses the NumPy random state), which is why
the pickle is edited here: the error must not depend on the torch release.

The environment's accelerate is newer, so this needs accelerate 0.33.0 as a PYTHONPATH overlay IN FRONT of it
(``scripts/verify.py --overlays`` installs OVERLAY). reproduce() runs with the overlay, fixed() (fix 0, the upgrade) runs the
same steps with the overlay taken off sys.path, so the environment's accelerate >= 0.34 loads the folder.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("accelerate", (0, 34))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "accelerate 0_32 or 0_33 as a PYTHONPATH overlay in front of accelerate 0_34 or newer, see the docstring"
OVERLAY = ("accelerate==0.33.0",)
REQUIRES = ("torch", "accelerate") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os, tempfile
import torch
import accelerate
from accelerate import Accelerator
print("accelerate", accelerate.__version__, flush=True)


def build():
    accelerator = Accelerator(cpu=True)
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    accelerator.prepare(model, optimizer)
    return accelerator


state_dir = tempfile.mkdtemp()
build().save_state(state_dir)
# the random-states pickle as accelerate <= 0.31 writes it: no "step"
path = os.path.join(state_dir, "random_states_0.pkl")
states = torch.load(path, weights_only=False)
states.pop("step", None)
torch.save(states, path)

accelerator = build()
accelerator.load_state(state_dir)
print("state loaded, step", accelerator.step, flush=True)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code != 0, "accelerate loaded the state; it must be 0.32 or 0.33\n" + output
    assert "KeyError: 'step'" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "state loaded, step")

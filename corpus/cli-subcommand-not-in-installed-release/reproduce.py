"""`accelerate estimate-memory` on accelerate 0.21 (accelerate#2980): the subcommand came in accelerate 0.23, so the
old release's argparse refuses it with ``Accelerate CLI tool: error: argument {config,env,launch,tpu-config,test}:
invalid choice: 'estimate-memory' (choose from ...)`` and exits 2 before anything else runs. Nothing is downloaded.

The environment's accelerate is newer, so this needs an accelerate older than 0.23 importable IN FRONT of it, as an
overlay that an accelerate >= 0.23 sits behind (how it was checked, with 0.21.0):

    pip install --no-deps --target /tmp/acc021 "accelerate==0.21.0"
    PYTHONPATH=/tmp/acc021:$PWD python -m pytest tests/test_reproducers.py -k cli-subcommand-not-in-installed-release

Elsewhere (the first accelerate found is >= 0.23, or none >= 0.23 sits behind it) the test skips it: REQUIRES then
names what is missing. reproduce() runs the old release's CLI (its ``accelerate_cli.main``, what the ``accelerate``
console script calls) in a fresh interpreter. fixed() applies fix 0, the upgrade: the same command with the overlay
taken off the path, so the environment's accelerate >= 0.23 parses it and prints the subcommand's help.
"""

from kbfix.reproduce import failed, older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("accelerate", (0, 23))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "an accelerate release older than 0_23 as a PYTHONPATH overlay in front of accelerate 0_23 or newer, see the docstring"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("accelerate==0.21.0",)
REQUIRES = ("torch", "accelerate") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os, sys
os.environ.update(HF_HUB_OFFLINE="1", HF_HOME=os.path.join(os.getcwd(), "hf"))
import accelerate
from accelerate.commands.accelerate_cli import main
print("accelerate", accelerate.__version__, flush=True)
sys.argv = ["accelerate", "estimate-memory", "--help"]
main()
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=240, without=without)


def reproduce():
    output = failed(_run())
    assert "invalid choice: 'estimate-memory'" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "usage: accelerate <command> [<args>] estimate-memory")

"""transformers' own import-time dependency check (``dependency_versions_check.py`` -> ``require_version_core``)
refuses a tokenizers release below the range it pins: ``ImportError: tokenizers>=0.23.1,<0.24.0 is required for a
normal functioning of this module, but found tokenizers==0.22.1.`` (as after ``pip install tokenizers==<old>``
beside a newer transformers, or a transformers upgrade that left tokenizers behind).

The environment's tokenizers is inside the range, so the older release is put IN FRONT of it as a PYTHONPATH
overlay (``scripts/verify.py --overlays`` installs ``OVERLAY``; verified with tokenizers 0.22.1 in front of the
environment's tokenizers 0.23.3 and transformers 5.25.0, which pins ``tokenizers>=0.23.1,<0.24.0``); elsewhere
REQUIRES names what is missing and the test skips it. A training script run in a fresh process imports
transformers and tokenizes a line: with the overlay it stops at the real check. fixed() applies fix 0, installing
the release the check asks for: the same script with the overlay taken off the path, so the installed tokenizers
0.23.x (inside the range) is imported, and transformers imports and tokenizes.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded

# the first tokenizers release in the range the environment's transformers pins (5.x: >=0.23.1,<0.24.0)
NEWER = (0, 23)


def _overlay():
    return older_in_front("tokenizers", NEWER)


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "a tokenizers release older than 0_23 as a PYTHONPATH overlay in front of tokenizers 0_23 or newer"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("tokenizers==0.22.1",)
REQUIRES = ("transformers", "tokenizers") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os
os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
import transformers                        # runs transformers' dependency_versions_check
import tokenizers
from kbfix.reproduce import word_tokenizer
tokenizer = word_tokenizer(["hello", "world"])
print("transformers", transformers.__version__, "tokenizers", tokenizers.__version__,
      "input_ids", tokenizer("hello world")["input_ids"], flush=True)
'''


def reproduce():
    code, output = run_script(SCRIPT, timeout=300)
    assert code != 0 and "is required for a normal functioning of this module" in output, output
    return output


def fixed():
    overlay = _overlay()
    assert overlay, "no older tokenizers in front to take away"
    return succeeded(run_script(SCRIPT, timeout=300, without=overlay), "input_ids [3, 4]")

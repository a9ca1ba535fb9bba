"""unsloth 2024.10.7 with the unsloth_zoo of the next month (2024.11.1): the pair of unsloth#1252, on a CPU.

unsloth 2024.10.7 imports unsloth_zoo on line 32 of ``unsloth/__init__.py``, before anything else (no torch, no GPU
check yet), and wraps any failure in ``ImportError: Unsloth: Please install unsloth_zoo via pip install unsloth-zoo``.
unsloth_zoo 2024.11.1 refuses to be imported unless ``UNSLOTH_IS_PRESENT`` is set, which only the unsloth releases of
November 2024 on set: ``ImportError: Please install Unsloth via pip install unsloth!``. Both packages are installed;
they are one month apart. The mismatched pair is the ``OVERLAY``.

fixed() applies fix 1 (pin the unsloth_zoo released with the pinned unsloth): unsloth_zoo 2024.10.5, from ``SOURCES``
(its sdist is pure Python, so the unpacked folder is importable and is put first on the path), next to the same
unsloth 2024.10.7. unsloth now imports unsloth_zoo and goes on to its GPU check, where this CPU machine stops it
(``Torch not compiled with CUDA enabled``: another cause, a machine without a GPU). fixed() returns which releases
were imported and where the import stopped. Fix 0 (upgrade both) ends at the same GPU check before unsloth imports
unsloth_zoo on the releases of late 2024, so on a CPU it shows nothing more; it is the fix's ``check``.
``scripts/verify.py --overlays`` fetches both; elsewhere the test skips this (unsloth is not installed).
"""

from kbfix.reproduce import failed, run_script, source_folder, succeeded

MATCHED_ZOO = "unsloth_zoo==2024.10.5"
SOURCES = (MATCHED_ZOO,)
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("unsloth==2024.10.7", "unsloth_zoo==2024.11.1")
REQUIRES = ("torch", "unsloth", "unsloth_zoo")
FIXES = (1,)

SCRIPT = r'''
import sys
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])        # unsloth_zoo 2024.10.5, unpacked, in front of the overlay's 2024.11.1
from importlib.metadata import version
try:
    from unsloth import FastLanguageModel
except (AssertionError, NotImplementedError, RuntimeError) as exc:
    # raised after `import unsloth_zoo` succeeded: unsloth's GPU check on a machine without CUDA
    zoo = sys.modules["unsloth_zoo"]
    print("unsloth", version("unsloth"), "imported unsloth_zoo", zoo.__version__, "from", zoo.__file__)
    print("then stopped at its GPU check on this CPU machine:", type(exc).__name__ + ":", exc)
'''

OFFLINE = {"HF_HUB_OFFLINE": "1"}


def reproduce():
    return failed(run_script(SCRIPT, args=("",), env=OFFLINE))


def fixed():
    zoo = source_folder(MATCHED_ZOO)
    if zoo is None:
        raise RuntimeError(f"{MATCHED_ZOO}'s source distribution is not unpacked (scripts/verify.py --overlays)")
    output = succeeded(run_script(SCRIPT, args=(str(zoo),), env=OFFLINE), "imported unsloth_zoo 2024.10.5")
    return "\n".join(line for line in output.splitlines() if line.startswith(("unsloth ", "then "))) + "\n"

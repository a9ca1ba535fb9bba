"""An environment runs numpy 2 and gets an old compiled package whose wheel was built against numpy 1.x (Bottleneck
1.3.8, released before NumPy 2.0). Importing it in a fresh process loads numpy 2 first, then the extension's C-API
import: numpy prints its real "A module that was compiled using NumPy 1.x cannot be run in NumPy 2.x" message and the
import fails (``AttributeError: _ARRAY_API not found``, then ``ImportError: numpy.core.multiarray failed to import``).
fixed() applies fix 1's branch for a package with no release built for numpy 2: numpy 1.x beside it (``pip install
"numpy<2"``), both on the same side of the ABI break; the import works and the module computes.

Both releases come from an overlay (scripts/verify.py --overlays: bottleneck==1.3.8 and numpy==1.26.4); the numpy 2
the environment has must sit behind it. reproduce() lets that numpy 2 be imported first, as in the environment the
old wheel was installed into; fixed() runs with the overlay's numpy 1.26.4. Elsewhere the test skips it.
"""

from kbfix.reproduce import older_in_front, release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("bottleneck==1.3.8", "numpy==1.26.4")
# bottleneck < 1.4 (built against numpy 1.x) and numpy 1.x in front of the environment's numpy 2
OLD_NUMPY = older_in_front("numpy", (2, 0))
REQUIRES = ("numpy", "bottleneck") + (
    () if release_within("bottleneck", (1, 3), (1, 4)) and OLD_NUMPY is not None
    else ("kbfix_requires_bottleneck_1_3_built_for_numpy_1_with_numpy_2_behind",))
FIXES = (1,)

# the environment's numpy 2 is imported first; the old wheel (found only in the overlay) is imported under it
NUMPY_2_THEN_OLD_WHEEL = """
import os
import sys

overlay = sys.argv[1]
sys.path = [p for p in sys.path if os.path.realpath(p or ".") != overlay]
import numpy  # noqa: F401
sys.path.append(overlay)
import bottleneck
"""

SAME_SIDE = """
import numpy
import bottleneck as bn

print("numpy", numpy.__version__, "bottleneck", bn.__version__, "nanmean", bn.nanmean(numpy.array([1.0, numpy.nan, 3.0])))
"""


def reproduce():
    from kbfix.reproduce import failed, run_script

    return failed(run_script(NUMPY_2_THEN_OLD_WHEEL, args=(OLD_NUMPY,), timeout=120))


def fixed():
    from kbfix.reproduce import run_script, succeeded

    return succeeded(run_script(SAME_SIDE, timeout=120), "numpy 1.26.4", "nanmean 2.0")

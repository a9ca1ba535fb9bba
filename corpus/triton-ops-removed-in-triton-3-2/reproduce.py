"""bitsandbytes 0.42.0 (a release from before 0.45.1) imported next to Triton 3.4, a Triton without ``triton.ops``.

``import bitsandbytes`` runs ``bitsandbytes/nn/triton_based_modules.py``, which imports the Triton kernels in
``bitsandbytes/triton/``; since a Triton is installed, ``dequantize_rowwise.py`` runs
``from triton.ops.matmul_perf_model import early_config_prune, estimate_matmul_time`` and the import fails with the
real ``ModuleNotFoundError: No module named 'triton.ops'``. No GPU is needed: the failure is at import, before any
kernel runs (Triton 3.4 no longer asks for a GPU driver when a module defines ``@triton.autotune`` kernels, which
3.2-3.3 did on a CPU-only machine).

fixed() applies fix 0, a bitsandbytes from 0.45.1 on (0.50.2, verified): with the same Triton 3.4 it imports, and a
4-bit quantize / dequantize round trip runs on the CPU. The old release comes from ``SOURCES`` (its sdist ships the
prebuilt libraries, so the unpacked folder is importable as is and is put first on the path of reproduce()'s child
process); Triton 3.4.0 and the new bitsandbytes are the ``OVERLAY``. ``scripts/verify.py --overlays`` fetches them;
elsewhere the test skips this.
"""

from kbfix.reproduce import failed, run_script, source_folder, succeeded

OLD = "bitsandbytes==0.42.0"
SOURCES = (OLD,)
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("triton==3.4.0", "bitsandbytes==0.50.2")
REQUIRES = ("torch", "triton", "bitsandbytes")
FIXES = (0,)

SCRIPT = r'''
import sys
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])        # bitsandbytes 0.42.0, unpacked, in front of the current release
import triton
print("triton", triton.__version__, flush=True)
import torch
import bitsandbytes
import bitsandbytes.functional as F

print("bitsandbytes", getattr(bitsandbytes, "__version__", "0.42.0"), "imported next to triton", triton.__version__,
      flush=True)
torch.manual_seed(0)
weight = torch.randn(64, 128)
packed, state = F.quantize_4bit(weight, quant_type="nf4")
restored = F.dequantize_4bit(packed, state)
print("nf4 round trip on", weight.device, "max error", round((restored - weight).abs().max().item(), 3))
'''

OFFLINE = {"HF_HUB_OFFLINE": "1"}


def reproduce():
    old = source_folder(OLD)
    if old is None:
        raise RuntimeError(f"{OLD}'s source distribution is not unpacked (scripts/verify.py --overlays)")
    return failed(run_script(SCRIPT, args=(str(old),), env=OFFLINE))


def fixed():
    output = succeeded(run_script(SCRIPT, args=("",), env=OFFLINE), "nf4 round trip on cpu")
    return "\n".join(line for line in output.splitlines() if line.startswith(("triton ", "bitsandbytes ", "nf4 "))) + "\n"

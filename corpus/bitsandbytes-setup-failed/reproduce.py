"""bitsandbytes 0.41.1 on a machine where it finds no CUDA (a CPU-only box, as in the entry's CPU-only cases).

At import its ``cextension.py`` loads ``libbitsandbytes_cpu.so`` and prints the real setup-failure banner: ``The
installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU
quantization are unavailable.`` and ``libbitsandbytes_cpu.so: undefined symbol: cadam32bit_grad_fp32``. The NF4
quantization QLoRA runs (``bitsandbytes.functional.quantize_4bit``) then fails inside bitsandbytes (0.41 has no
4-bit kernels outside its CUDA library).

fixed() applies fix 0, a current bitsandbytes (0.50.2, verified): its wheel ships a CPU library with the 4-bit
kernels, so the same quantize / dequantize round trip runs on this CPU machine. (On a GPU machine the same upgrade is
what loads the CUDA library; that needs a GPU and is the fix's ``check``.) The old release comes from ``SOURCES``: its
sdist ships the prebuilt libraries, so the unpacked folder is importable as is and is put first on the path of
reproduce()'s child process; the new one is the ``OVERLAY``. ``scripts/verify.py --overlays`` fetches both;
elsewhere the test skips this.
"""

from kbfix.reproduce import failed, run_script, source_folder, succeeded

OLD = "bitsandbytes==0.41.1"
SOURCES = (OLD,)
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("bitsandbytes==0.50.2",)
REQUIRES = ("torch", "bitsandbytes")
FIXES = (0,)

SCRIPT = r'''
import sys
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])        # bitsandbytes 0.41.1, unpacked, in front of the current release
import torch
import bitsandbytes
import bitsandbytes.functional as F

print("bitsandbytes", getattr(bitsandbytes, "__version__", "0.41.1"), "from", bitsandbytes.__file__, flush=True)
torch.manual_seed(0)
weight = torch.randn(64, 128)
packed, state = F.quantize_4bit(weight, quant_type="nf4")      # what QLoRA does to each linear layer
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
    return "\n".join(line for line in output.splitlines() if line.startswith(("bitsandbytes ", "nf4 "))) + "\n"

"""A process that has no GPU (here: ``CUDA_VISIBLE_DEVICES=""``, what Ray gives an actor with ``num_gpus=0``, such as
verl's ``TaskRunner`` or Ray Train's controller) imports DeepSpeed's Triton inference kernels, as ``import deepspeed``
did in releases 0.10 to 0.16.3 whenever ``import triton`` worked (``ds_transformer.py``: ``if deepspeed.HAS_TRITON:
from deepspeed.ops.transformer.inference.triton.mlp import TritonMLP``). With triton 3.2 the module-level
``@triton.autotune`` of ``triton_matmul_kernel.py`` asks for the active GPU driver at import, and Triton raises its
real ``RuntimeError: 0 active drivers ([]). There should only be one.``

reproduce() runs that import in a fresh process (the module still ships in the installed DeepSpeed); fixed() applies
fix 1: the installed DeepSpeed (>= 0.16.4, deepspeedai/DeepSpeed#6989) is imported in the same GPU-less process with
the same triton 3.2, including ``ds_transformer``, and no longer touches the kernels at import. Verified with
triton 3.2.0 (the overlay) and deepspeed 0.19.8; nothing is downloaded at run time.
"""

from kbfix.reproduce import distribution_installed, release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("triton==3.2.0",)
# triton 3.2 builds the autotuner's benchmarker in Autotuner.__init__ (3.4 makes it lazy, triton-lang/triton#6570);
# DeepSpeed >= 0.16.4 is the fixed side
REQUIRES = ("torch", "deepspeed", "triton") + (
    () if distribution_installed("triton") and release_within("triton", (3, 2), (3, 4))
    and release_within("deepspeed", (0, 16, 4)) else ("kbfix_requires_triton_3_2_to_3_3_with_deepspeed_0_16_4",))
FIXES = (1,)

# no GPU in this process, as in a Ray actor with num_gpus=0 (Ray sets CUDA_VISIBLE_DEVICES to "")
_NO_GPU = {"CUDA_VISIBLE_DEVICES": "", "DS_BUILD_OPS": "0"}

# what `import deepspeed` ran in deepspeed 0.10 - 0.16.3 (deepspeed/model_implementations/transformers/ds_transformer.py)
# (deepspeed/__init__.py there: HAS_TRITON = True whenever `import triton` succeeds)
_OLD_IMPORT = '''
import deepspeed
try:
    import triton
    HAS_TRITON = True
except ImportError:
    HAS_TRITON = False
if HAS_TRITON:
    from deepspeed.ops.transformer.inference.triton.mlp import TritonMLP
'''

_CONTROLLER = '''
import deepspeed
import deepspeed.model_implementations.transformers.ds_transformer
import torch
import triton
print("imported deepspeed", deepspeed.__version__, "with triton", triton.__version__, "HAS_TRITON", deepspeed.HAS_TRITON,
      "cuda available", torch.cuda.is_available())
'''


def reproduce():
    from kbfix.reproduce import failed, run_script

    return failed(run_script(_OLD_IMPORT, env=_NO_GPU))


def fixed():
    from kbfix.reproduce import run_script, succeeded

    return succeeded(run_script(_CONTROLLER, env=_NO_GPU), "imported deepspeed", "with triton 3.")

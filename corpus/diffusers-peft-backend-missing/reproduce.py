"""diffusers' LoRA methods without the PEFT backend: peft not importable in the Python that runs diffusers.

diffusers computes ``USE_PEFT_BACKEND`` once, at import (``diffusers/utils/constants.py``: peft importable and at least
``MIN_PEFT_VERSION``, transformers importable and at least ``MIN_TRANSFORMERS_VERSION``), and every LoRA method raises
``ValueError: PEFT backend is required for ...`` under ``if not USE_PEFT_BACKEND``. The environment has no diffusers,
so this runs with diffusers 0.40.0 (and the Pillow it imports) as a PYTHONPATH overlay (how it was checked):

    pip install --no-deps --target /tmp/dfz "diffusers==0.40.0" "Pillow==13.0.0"
    PYTHONPATH=/tmp/dfz:$PWD python -m pytest tests/test_reproducers.py -k diffusers-peft-backend-missing

A child script builds a tiny ``UNet2DConditionModel`` from a config (no hub) and a LoRA state dict for its
``attn1.to_q`` layers, then calls the real methods: ``StableDiffusionLoraLoaderMixin.load_lora_into_unet`` (0.40's
``require_peft_backend`` decorator: "PEFT backend is required for `load_lora_into_unet()`."), the model's
``set_adapters`` ("... for `set_adapters()`."), ``fuse_lora`` and ``disable_lora`` ("... for this method.").
reproduce() runs it with ``sys.modules["peft"] = None`` set before diffusers is imported (importlib then finds no
peft: exactly "peft is not installed"); fixed() applies fix 0, peft importable (the environment's peft 0.21, above
diffusers 0.40's minimum 0.17.0): the LoRA loads, is weighted, fused and disabled.
"""

REQUIRES = ("torch", "transformers", "peft", "diffusers", "PIL")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("diffusers==0.40.0", "Pillow==13.0.0")
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile, traceback
if sys.argv[1] == "without-peft":
    sys.modules["peft"] = None  # what importlib sees when peft is not installed
os.environ.update(HF_HOME=os.path.join(tempfile.mkdtemp(), "hf"), HF_HUB_OFFLINE="1")
import torch
import diffusers
from diffusers import UNet2DConditionModel
from diffusers.loaders import StableDiffusionLoraLoaderMixin
from diffusers.utils import USE_PEFT_BACKEND
print("diffusers", diffusers.__version__, "USE_PEFT_BACKEND", USE_PEFT_BACKEND, flush=True)

torch.manual_seed(0)
unet = UNet2DConditionModel(sample_size=8, in_channels=4, out_channels=4, layers_per_block=1,
                            block_out_channels=(8, 16), down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=8,
                            attention_head_dim=2, norm_num_groups=4)
lora = {}
for name, module in unet.named_modules():
    if name.endswith("attn1.to_q"):
        lora[f"unet.{name}.lora_A.weight"] = torch.randn(2, module.in_features) * 0.01
        lora[f"unet.{name}.lora_B.weight"] = torch.randn(module.out_features, 2) * 0.01

failed = 0
steps = (("load_lora_into_unet", lambda: StableDiffusionLoraLoaderMixin.load_lora_into_unet(
             lora, network_alphas=None, unet=unet, adapter_name="tiny")),
         ("set_adapters", lambda: unet.set_adapters(["tiny"], [0.5])),
         ("fuse_lora", lambda: unet.fuse_lora()),
         ("disable_lora", lambda: unet.disable_lora()))
for name, step in steps:
    try:
        step()
        print(name, "ok", flush=True)
    except Exception:
        failed += 1
        traceback.print_exc()
        sys.stderr.flush()
sys.exit(failed)
'''


def reproduce():
    from kbfix.reproduce import run_script

    code, output = run_script(SCRIPT, args=("without-peft",), timeout=300)
    assert code == 4, "diffusers ran its LoRA methods without peft\n" + output
    assert "ValueError: PEFT backend is required for `load_lora_into_unet()`." in output, output
    assert "ValueError: PEFT backend is required for `set_adapters()`." in output, output
    assert "ValueError: PEFT backend is required for this method." in output, output
    return output


def fixed():
    from kbfix.reproduce import run_script, succeeded

    return succeeded(run_script(SCRIPT, args=("with-peft",), timeout=300), "USE_PEFT_BACKEND True",
                     "load_lora_into_unet ok", "set_adapters ok", "fuse_lora ok", "disable_lora ok")

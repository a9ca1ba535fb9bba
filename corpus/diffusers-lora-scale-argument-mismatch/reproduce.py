"""A LoRA module written for diffusers <= 0.20 (forward(self, x)) patched over a UNet's layers, run under diffusers 0.21.

A tiny UNet2DConditionModel is built from a config (no download). reproduce() patches the linear and 1x1-conv layers
inside its Transformer2DModel blocks the way kohya-style LoRA networks do (the module keeps the layer's original
forward and puts its own ``forward(self, x)`` in its place) and runs one forward pass: diffusers 0.21's
transformer_2d.py calls ``self.proj_in(hidden_states, lora_scale)``, so Python raises TypeError:
LoRAModule.forward() takes 2 positional arguments but 3 were given. fixed() (fix 1) gives the patched forward a
``*args, **kwargs`` tail and the same pass runs.

diffusers 0.21.4 (with the huggingface_hub it was released against, and Pillow, which it imports) comes as a
PYTHONPATH overlay (``scripts/verify.py --overlays`` installs OVERLAY); transformers is hidden from it
(``sys.modules["transformers"] = None``, what importlib sees when it is not installed), because diffusers 0.21 would
import the installed transformers, which needs a newer huggingface_hub, and a UNet needs none of it. Verified with
diffusers 0.21.4 and torch 2.13 on CPU.
"""

from kbfix.reproduce import release_within, tiny_unet

OVERLAY = ("diffusers==0.21.4", "huggingface_hub==0.17.3", "pillow==13.0.0")
# diffusers 0.21 passes the scale whatever else is installed; 0.22-0.26 only without the PEFT backend, 0.27+ never
REQUIRES = ("torch", "diffusers", "PIL") + (
    () if release_within("diffusers", (0, 21), (0, 22)) else ("kbfix_requires_diffusers_0_21",))
FIXES = (1,)


def _unet():
    import sys

    sys.modules["transformers"] = None  # a UNet needs no transformers; diffusers 0.21 would import it
    return tiny_unet()


def _lora_class(accept_extra_args):
    import torch

    class LoRAModule(torch.nn.Module):
        """kohya-style: keeps the layer's forward and replaces it with its own."""

        def __init__(self, org_module, rank=4):
            super().__init__()
            self.org_forward = org_module.forward
            if isinstance(org_module, torch.nn.Conv2d):
                self.lora_down = torch.nn.Conv2d(org_module.in_channels, rank, 1, bias=False)
                self.lora_up = torch.nn.Conv2d(rank, org_module.out_channels, 1, bias=False)
            else:
                self.lora_down = torch.nn.Linear(org_module.in_features, rank, bias=False)
                self.lora_up = torch.nn.Linear(rank, org_module.out_features, bias=False)
            torch.nn.init.zeros_(self.lora_up.weight)
            org_module.forward = self.forward_any if accept_extra_args else self.forward

        def forward(self, x):  # written for diffusers <= 0.20: layers were called with the input only
            return self.org_forward(x) + self.lora_up(self.lora_down(x))

        def forward_any(self, x, *args, **kwargs):  # fix 1: take (and ignore) diffusers' LoRA scale
            return self.org_forward(x) + self.lora_up(self.lora_down(x))

    return LoRAModule


def _patched_unet(accept_extra_args):
    import torch

    unet = _unet()
    lora_class = _lora_class(accept_extra_args)
    loras = []
    for module in unet.modules():
        if module.__class__.__name__ != "Transformer2DModel":
            continue
        for layer in module.modules():
            if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
                loras.append(lora_class(layer))
    return unet, loras


def _run(unet):
    import torch

    with torch.no_grad():
        return unet(torch.randn(1, 4, 8, 8), torch.tensor([10]), encoder_hidden_states=torch.randn(1, 7, 32)).sample


def reproduce():
    unet, _loras = _patched_unet(accept_extra_args=False)
    _run(unet)


def fixed():
    unet, _loras = _patched_unet(accept_extra_args=True)
    return f"sample {tuple(_run(unet).shape)}"

"""An SDXL-style UNet (addition_embed_type "text_time") called the SD 1.x way, without added_cond_kwargs.

A tiny UNet2DConditionModel is built from a config with SDXL's addition embedding (no download). reproduce() calls it
as SD 1.x code does, unet(latents, t, encoder_hidden_states=...): diffusers' forward (get_aug_embed) tests
`"text_embeds" not in added_cond_kwargs` on None and raises TypeError: argument of type 'NoneType' is not iterable.
fixed() (fix 1) passes added_cond_kwargs with text_embeds and time_ids, as the SDXL pipelines and scripts do.

diffusers (and Pillow, which it imports) are not in the test environment: they come as a PYTHONPATH overlay
(``scripts/verify.py --overlays`` installs OVERLAY); verified with diffusers 0.42.1 and torch 2.13 on CPU.
"""

from kbfix.reproduce import tiny_unet

OVERLAY = ("diffusers==0.42.1", "pillow==13.0.0")
REQUIRES = ("torch", "diffusers", "PIL")
FIXES = (1,)

_TEXT_DIM = 32
_TIME_DIM = 8


def _unet():
    return tiny_unet(addition_embed_type="text_time",  # what SDXL's unet/config.json sets
                     addition_time_embed_dim=_TIME_DIM, projection_class_embeddings_input_dim=_TEXT_DIM + 6 * _TIME_DIM)


def _inputs():
    import torch

    return torch.randn(1, 4, 8, 8), torch.tensor([10]), torch.randn(1, 7, 32)


def reproduce():
    import torch

    unet = _unet()
    latents, t, encoder_hidden_states = _inputs()
    with torch.no_grad():
        unet(latents, t, encoder_hidden_states=encoder_hidden_states)  # SD 1.x call: no added_cond_kwargs


def fixed():
    import torch

    unet = _unet()
    latents, t, encoder_hidden_states = _inputs()
    added_cond_kwargs = {"text_embeds": torch.randn(1, _TEXT_DIM), "time_ids": torch.randn(1, 6)}
    with torch.no_grad():
        out = unet(latents, t, encoder_hidden_states=encoder_hidden_states, added_cond_kwargs=added_cond_kwargs)
    return f"sample {tuple(out.sample.shape)}"

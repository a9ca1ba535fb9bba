"""A text-to-video DiT given image-to-video latents: the patch embedding was built for 16 latent channels and
receives 36 (16 noisy video latents + 4 first-frame mask + 16 encoded first frame, how Wan2.1 / Wan2.2 I2V and
Fun-InP pipelines and trainers build the input).

A tiny diffusers WanTransformer3DModel is built from a config (no download). reproduce() builds it with the T2V
config (in_channels=16) and feeds it the 36-channel I2V input: torch's conv3d in the patch embedding raises
"Given groups=1, weight of size [24, 16, 1, 2, 2], expected input[1, 36, 2, 8, 8] to have 16 channels, but got
36 channels instead". fixed() (fix 0) builds the model with the I2V config (in_channels=36), as loading the I2V
checkpoint does, and the forward pass runs.

diffusers (and Pillow, which it imports) are not in the test environment: they come as a PYTHONPATH overlay
(``scripts/verify.py --overlays`` installs OVERLAY); verified with diffusers 0.42.1 and torch 2.13 on CPU.
"""

OVERLAY = ("diffusers==0.42.1", "pillow==13.0.0")
REQUIRES = ("torch", "diffusers", "PIL")
FIXES = (0,)


def _transformer(in_channels):
    import torch
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    return WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
                                 in_channels=in_channels, out_channels=16, text_dim=32, freq_dim=16, ffn_dim=32,
                                 num_layers=1, cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6,
                                 image_dim=None, added_kv_proj_dim=None, rope_max_seq_len=32).eval()


def _forward(in_channels):
    import torch

    noisy = torch.randn(1, 16, 2, 8, 8)              # video latents being denoised
    condition = torch.randn(1, 20, 2, 8, 8)          # 4 mask channels + 16 channels of the encoded first frame
    hidden_states = torch.cat([noisy, condition], dim=1)
    model = _transformer(in_channels)
    with torch.no_grad():
        out = model(hidden_states, timestep=torch.tensor([500]), encoder_hidden_states=torch.randn(1, 7, 32))
    return out.sample.shape


def reproduce():
    _forward(16)     # the text-to-video config


def fixed():
    return f"sample {tuple(_forward(36))}"

"""Save a tiny ViT trained at 32x32, then build it for 64x64 images: only the position embeddings disagree.

transformers 5 prints a LOAD REPORT through its logger and then raises a short RuntimeError; reproduce()
returns what the terminal shows.
"""

from kbfix.reproduce import transformers_load_failure

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _config(image_size):
    from transformers import ViTConfig

    return ViTConfig(image_size=image_size, patch_size=8, hidden_size=16, num_hidden_layers=2,
                     num_attention_heads=2, intermediate_size=32)


def _save(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import ViTModel

    ViTModel(_config(32)).save_pretrained(folder)


def reproduce():
    import tempfile

    from transformers import ViTModel

    with tempfile.TemporaryDirectory() as folder:
        _save(folder)
        # fine-tune at a higher resolution
        return transformers_load_failure(lambda: ViTModel.from_pretrained(folder, image_size=64), log_prefix="")


def fixed():
    import tempfile

    import torch
    from transformers import ViTModel

    with tempfile.TemporaryDirectory() as folder:
        _save(folder)
        model = ViTModel.from_pretrained(folder)  # built at the checkpoint's resolution
        pixels = torch.randn(1, 3, 64, 64)         # the new resolution
        out = model(pixel_values=pixels, interpolate_pos_encoding=True)
        assert out.last_hidden_state.shape[1] == (64 // 8) ** 2 + 1

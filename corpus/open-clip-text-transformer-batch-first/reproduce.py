"""A text embedder written for open_clip <= 2.24 (the ``ldm`` / ``sgm`` ``FrozenOpenCLIPEmbedder``, fc-clip's
``encode_text``) permutes the token embeddings to sequence-first ``(L, N, D)`` before calling the CLIP text
transformer with its 77x77 causal mask. Since open-clip-torch 2.26 that transformer's attention is batch-first, so it
reads the 77 positions as the batch and torch raises its real ``RuntimeError: The shape of the 2D attn_mask is
torch.Size([77, 77]), but should be (4, 4).`` for a batch of 4 prompts, both through ``model.transformer(...)`` and
through a loop over ``model.transformer.resblocks``.
fixed() applies fix 0 (permute only when ``model.transformer.batch_first`` is False: the features equal open_clip's
own ``encode_text``, for both call styles) and fix 2 (``model.transformer.batch_first = False``: the legacy
``model.transformer(...)`` call works again and gives the same features).

The model is a tiny CLIP (one layer, 32 wide, CLIP's context length 77) registered from a config file with
``open_clip.add_model_config``; nothing is downloaded. Verified with open_clip 2.32.0 installed in an overlay without
its dependencies, as for open-clip-pretrained-neither-tag-nor-file: open_clip imports torchvision for its image
transforms, and the overlay's torchvision 0.15.2 imports its pure-Python modules (its compiled ops fail to load, with
a warning, and are not used here). Elsewhere (open_clip <= 2.24, where the legacy code is right) the test skips it.
"""

import json
import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("open_clip_torch==2.32.0", "torchvision==0.15.2", "pillow==13.0.0", "ftfy==6.3.1")
# open_clip 2.26.0 made the text transformer batch-first; 3.x keeps it
REQUIRES = ("torch", "torchvision", "open_clip") + (
    () if release_within("open_clip_torch", (2, 26)) else ("kbfix_requires_open_clip_torch_2_26_or_newer",))
FIXES = (0, 2)

MODEL = "ViT-T-32-tiny-ctx77"
CONFIG = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "head_width": 16, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 64, "width": 32, "heads": 2, "layers": 1},
}
PROMPTS = 4


def _model():
    """The tiny CLIP, registered by name from a config file (a project's own model_configs/*.json), in eval mode."""
    import open_clip
    import torch

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{MODEL}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(CONFIG, f)
        open_clip.add_model_config(path)
        model = open_clip.create_model(MODEL)
    return model.eval()


def _tokens():
    import torch

    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(1, 62, (PROMPTS, 77), generator=generator)
    tokens[:, 9] = 63  # the end-of-text token (the highest id), where encode_text pools
    tokens[:, 10:] = 0
    return tokens


def _legacy_encode(model, tokens, loop=False):
    """open_clip <= 2.24's encode_text, as ldm's FrozenOpenCLIPEmbedder and fc-clip copy it (sequence-first)."""
    x = model.token_embedding(tokens) + model.positional_embedding  # [batch_size, n_ctx, d_model]
    x = x.permute(1, 0, 2)  # NLD -> LND
    if loop:  # ldm's text_transformer_forward
        for block in model.transformer.resblocks:
            x = block(x, attn_mask=model.attn_mask)
    else:
        x = model.transformer(x, attn_mask=model.attn_mask)
    x = x.permute(1, 0, 2)  # LND -> NLD
    return _pool(model, x, tokens)


def _pool(model, x, tokens):
    import torch

    x = model.ln_final(x)
    return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)] @ model.text_projection


def _fixed_encode(model, tokens, loop=False):
    """Fix 0: permute to (L, N, D) only when the installed release's text transformer is not batch-first."""
    batch_first = getattr(model.transformer, "batch_first", False)
    x = model.token_embedding(tokens) + model.positional_embedding
    if not batch_first:
        x = x.permute(1, 0, 2)
    if loop:
        for block in model.transformer.resblocks:
            x = block(x, attn_mask=model.attn_mask)
    else:
        x = model.transformer(x, attn_mask=model.attn_mask)
    if not batch_first:
        x = x.permute(1, 0, 2)
    return _pool(model, x, tokens)


def reproduce():
    import torch

    with torch.no_grad():
        _legacy_encode(_model(), _tokens())


def fixed():
    import torch

    model, tokens = _model(), _tokens()
    with torch.no_grad():
        reference = model.encode_text(tokens)  # open_clip's own text encoder
        assert tuple(reference.shape) == (PROMPTS, CONFIG["embed_dim"]), reference.shape
        # fix 0, for both call styles
        for loop in (False, True):
            features = _fixed_encode(model, tokens, loop=loop)
            assert torch.allclose(features, reference, atol=1e-5), (loop, (features - reference).abs().max())
        # fix 2: the transformer transposes the legacy (L, N, D) input into its batch-first blocks again
        model.transformer.batch_first = False
        features = _legacy_encode(model, tokens)
        assert torch.allclose(features, reference, atol=1e-5), (features - reference).abs().max()
    return (f"text features of shape {tuple(reference.shape)} equal to encode_text's, with the version-aware permute "
            "(transformer call and resblocks loop) and with transformer.batch_first = False\n")

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

import tempfile

from kbfix.reproduce import OPEN_CLIP_OVERLAY, release_within, tiny_open_clip_config

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = OPEN_CLIP_OVERLAY
# open_clip 2.26.0 made the text transformer batch-first; 3.x keeps it
REQUIRES = ("torch", "torchvision", "open_clip") + (
    () if release_within("open_clip_torch", (2, 26)) else ("kbfix_requires_open_clip_torch_2_26_or_newer",))
FIXES = (0, 2)

PROMPTS = 4
EMBED_DIM = 16  # tiny_open_clip_config's


def _model():
    """The tiny CLIP with CLIP's context length 77, registered by name from a config file, in eval mode."""
    import open_clip
    import torch

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        model = open_clip.create_model(tiny_open_clip_config(folder, "ViT-T-32-tiny-ctx77", context_length=77))
    return model.eval()


def _tokens():
    import torch

    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(1, 62, (PROMPTS, 77), generator=generator)
    tokens[:, 9] = 63  # the end-of-text token (the highest id), where encode_text pools
    tokens[:, 10:] = 0
    return tokens


def _encode(model, tokens, sequence_first, loop=False):
    """open_clip <= 2.24's encode_text, as ldm's FrozenOpenCLIPEmbedder and fc-clip copy it: with
    ``sequence_first`` the embeddings are permuted to (L, N, D) around the transformer (the legacy code: True; fix 0:
    only when the installed release's transformer is not batch-first). ``loop``: ldm's text_transformer_forward, a
    loop over the resblocks instead of the transformer call."""
    import torch

    x = model.token_embedding(tokens) + model.positional_embedding  # [batch_size, n_ctx, d_model]
    if sequence_first:
        x = x.permute(1, 0, 2)  # NLD -> LND
    if loop:
        for block in model.transformer.resblocks:
            x = block(x, attn_mask=model.attn_mask)
    else:
        x = model.transformer(x, attn_mask=model.attn_mask)
    if sequence_first:
        x = x.permute(1, 0, 2)  # LND -> NLD
    x = model.ln_final(x)
    return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)] @ model.text_projection


def reproduce():
    import torch

    with torch.no_grad():
        _encode(_model(), _tokens(), sequence_first=True)


def fixed():
    import torch

    model, tokens = _model(), _tokens()
    with torch.no_grad():
        reference = model.encode_text(tokens)  # open_clip's own text encoder
        assert tuple(reference.shape) == (PROMPTS, EMBED_DIM), reference.shape
        # fix 0, for both call styles
        for loop in (False, True):
            batch_first = getattr(model.transformer, "batch_first", False)
            features = _encode(model, tokens, sequence_first=not batch_first, loop=loop)
            assert torch.allclose(features, reference, atol=1e-5), (loop, (features - reference).abs().max())
        # fix 2: the transformer transposes the legacy (L, N, D) input into its batch-first blocks again
        model.transformer.batch_first = False
        features = _encode(model, tokens, sequence_first=True)
        assert torch.allclose(features, reference, atol=1e-5), (features - reference).abs().max()
    return (f"text features of shape {tuple(reference.shape)} equal to encode_text's, with the version-aware permute "
            "(transformer call and resblocks loop) and with transformer.batch_first = False\n")

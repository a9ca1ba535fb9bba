"""A CTC head smaller than the tokenizer: ValueError: Label values must be <= vocab_size.

A tiny Wav2Vec2ForCTC is built from a config (no download) with vocab_size=5, the size a checkpoint's head might have,
while the labels come from a 12-token CTC vocabulary (ids up to 11, padding -100). reproduce() runs a training forward
and transformers refuses the labels; fixed() (fix 0) builds the head with vocab_size=len(tokenizer) = 12.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

_TOKENIZER_SIZE = 12  # len(processor.tokenizer) of the dataset's vocab.json


def _model(vocab_size):
    import torch
    from transformers import Wav2Vec2Config, Wav2Vec2ForCTC

    config = Wav2Vec2Config(
        vocab_size=vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(8, 8),
        conv_stride=(5, 2),
        conv_kernel=(10, 3),
        num_feat_extract_layers=2,
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        do_stable_layer_norm=True,
        feat_extract_norm="layer",
        mask_time_prob=0.0,
        pad_token_id=0,
        ctc_loss_reduction="mean",
    )
    torch.manual_seed(0)
    return Wav2Vec2ForCTC(config)


def _batch():
    import torch

    audio = torch.randn(1, 1600)
    labels = torch.tensor([[3, 7, 11, 2, -100]])  # encoded transcript, padding already -100
    return audio, labels


def reproduce():
    audio, labels = _batch()
    _model(5)(audio, labels=labels)


def fixed():
    import math

    audio, labels = _batch()
    loss = _model(_TOKENIZER_SIZE)(audio, labels=labels).loss
    assert math.isfinite(loss.item())
    return f"loss {loss.item():.3f}"

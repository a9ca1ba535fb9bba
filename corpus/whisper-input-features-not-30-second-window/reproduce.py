"""Whisper's encoder takes exactly one 30-second window: 3000 log-mel frames. A feature-extractor call with
padding="longest" (dynamic padding, right for wav2vec2, wrong for Whisper) gives one second of audio 100 frames,
and WhisperEncoder.forward (transformers >= 4.36) refuses it. fixed() uses the extractor's default padding
(max_length, 30 s). A tiny WhisperForConditionalGeneration built from a config; nothing downloads.
"""

from kbfix.reproduce import release_within

REQUIRES = ("torch", "numpy", "transformers") + (
    () if release_within("transformers", (4, 36)) else ("kbfix_requires_transformers_4_36_or_later",))
FIXES = (0,)


def _model():
    import torch
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    torch.manual_seed(0)
    config = WhisperConfig(vocab_size=64, d_model=16, encoder_layers=1, decoder_layers=1,
                           encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                           decoder_ffn_dim=32, max_target_positions=32, pad_token_id=0, bos_token_id=1,
                           eos_token_id=2, decoder_start_token_id=1, num_mel_bins=80)
    return WhisperForConditionalGeneration(config).eval()


def _forward(**extractor_kwargs):
    import numpy as np
    import torch
    from transformers import WhisperFeatureExtractor

    audio = np.sin(np.arange(16000, dtype=np.float32) / 20.0) * 0.1     # one second at 16 kHz
    features = WhisperFeatureExtractor()(audio, sampling_rate=16000, return_tensors="pt",
                                         **extractor_kwargs).input_features
    with torch.no_grad():
        _model()(input_features=features, decoder_input_ids=torch.tensor([[1]]))
    return features.shape


def reproduce():
    _forward(padding="longest")


def fixed():
    shape = _forward()                                                    # default: padding="max_length", 30 s
    return f"input_features shape {tuple(shape)}"

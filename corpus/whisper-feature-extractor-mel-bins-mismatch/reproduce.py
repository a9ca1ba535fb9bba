"""Whisper large-v3 / turbo take 128 mel bins, every earlier size 80. A tiny WhisperForConditionalGeneration with
num_mel_bins=128 (width 384, like whisper-tiny) fed the 80-bin features of a default WhisperFeatureExtractor fails in
the encoder's first Conv1d ("weight of size [384, 128, 3], expected input[1, 80, 3000] to have 128 channels").
fixed() builds the extractor with feature_size = config.num_mel_bins. Nothing downloads.
"""

REQUIRES = ("torch", "numpy", "transformers")
FIXES = (0,)


def _forward(feature_size=None):
    import numpy as np
    import torch
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration

    torch.manual_seed(0)
    config = WhisperConfig(vocab_size=64, d_model=384, encoder_layers=1, decoder_layers=1,
                           encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                           decoder_ffn_dim=32, max_target_positions=32, pad_token_id=0, bos_token_id=1,
                           eos_token_id=2, decoder_start_token_id=1, num_mel_bins=128)
    model = WhisperForConditionalGeneration(config).eval()
    extractor = WhisperFeatureExtractor() if feature_size is None else WhisperFeatureExtractor(feature_size=feature_size)
    audio = np.sin(np.arange(16000, dtype=np.float32) / 20.0) * 0.1
    features = extractor(audio, sampling_rate=16000, return_tensors="pt").input_features
    with torch.no_grad():
        model(input_features=features, decoder_input_ids=torch.tensor([[1]]))
    return features.shape


def reproduce():
    _forward()                      # WhisperFeatureExtractor's default feature_size is 80


def fixed():
    return f"input_features shape {tuple(_forward(feature_size=128))}"

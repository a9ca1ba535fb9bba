"""Fine-tune a tiny Qwen2 after adding tokens, then load its state_dict into a fresh base-size model."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

BASE_VOCAB = 64
ADDED_TOKENS = 6


def _base_model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=BASE_VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=False)
    return Qwen2ForCausalLM(config)


def _finetuned_checkpoint(path):
    import torch

    model = _base_model()
    model.resize_token_embeddings(BASE_VOCAB + ADDED_TOKENS)  # tokenizer.add_tokens([...]) during training
    torch.save(model.state_dict(), path)


def reproduce():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pytorch_model.bin")
        _finetuned_checkpoint(path)
        model = _base_model()  # built from the base config: 64 rows
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))


def fixed():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pytorch_model.bin")
        _finetuned_checkpoint(path)
        model = _base_model()
        model.resize_token_embeddings(BASE_VOCAB + ADDED_TOKENS)  # len(tokenizer) of the fine-tuned tokenizer
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        assert model.get_input_embeddings().weight.shape[0] == BASE_VOCAB + ADDED_TOKENS

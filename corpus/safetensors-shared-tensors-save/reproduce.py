"""Save a tiny Qwen2 with tied embeddings through safetensors.torch.save_file(model.state_dict())."""

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0, 1)


def _tied_model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=True)
    model = Qwen2ForCausalLM(config)
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    return model


def reproduce():
    import os
    import tempfile

    from safetensors.torch import save_file

    with tempfile.TemporaryDirectory() as folder:
        save_file(_tied_model().state_dict(), os.path.join(folder, "model.safetensors"))


def fixed():
    import os
    import tempfile

    import torch
    from safetensors.torch import load_model, save_model
    from transformers import Qwen2ForCausalLM

    model = _tied_model()
    with tempfile.TemporaryDirectory() as folder:
        # fix 0: save_model/load_model keep one copy of a shared tensor and restore the tie
        path = os.path.join(folder, "model.safetensors")
        save_model(model, path)
        restored = _tied_model()
        load_model(restored, path)
        assert torch.equal(restored.lm_head.weight, model.lm_head.weight)
        # fix 1: save_pretrained knows the model's tied keys
        model.save_pretrained(os.path.join(folder, "hf"))
        again = Qwen2ForCausalLM.from_pretrained(os.path.join(folder, "hf"))
        assert again.lm_head.weight.data_ptr() == again.model.embed_tokens.weight.data_ptr()

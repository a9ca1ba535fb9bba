"""Point transformers at a folder that holds only a GGUF file, as a training script would; then at HF weights."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def reproduce():
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM

    with tempfile.TemporaryDirectory() as root:
        folder = os.path.join(root, "TinyLlama-1.1B-Chat-v1.0-GGUF")  # what a *-GGUF repo download looks like
        os.makedirs(folder)
        with open(os.path.join(folder, "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"), "wb") as f:
            f.write(b"GGUF\x03\x00\x00\x00")
        AutoModelForCausalLM.from_pretrained(folder)


def fixed():
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    with tempfile.TemporaryDirectory() as root:
        folder = os.path.join(root, "TinyLlama-1.1B-Chat-v1.0")  # the original repo: config.json + safetensors
        config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                             num_attention_heads=2, num_key_value_heads=1)
        LlamaForCausalLM(config).save_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder)
        assert any(p.requires_grad for p in model.parameters())

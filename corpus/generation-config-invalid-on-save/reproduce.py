"""A tiny Llama "chat" checkpoint ships temperature/top_p without do_sample; fine-tuning code sets the
pad token on its generation config and saves: GenerationConfig.save_pretrained refuses the config."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)

CHAT_GENERATION_CONFIG = {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
                          "temperature": 0.6, "top_p": 0.9, "max_length": 64}  # as in Llama-2-chat


def _base_checkpoint(folder):
    import json
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    LlamaForCausalLM(config).save_pretrained(folder)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump(CHAT_GENERATION_CONFIG, f)


def _load_finetune_save(base, out, before_save=lambda model: None):
    import os

    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(base)
    model.generation_config.pad_token_id = 2  # what fine-tuning scripts do (pad = eos)
    before_save(model)
    model.save_pretrained(out)
    return os.path.join(out, "generation_config.json")


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base")
        _base_checkpoint(base)
        _load_finetune_save(base, os.path.join(tmp, "out"))


def fixed():
    import json
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base")
        _base_checkpoint(base)

        # fix 0: keep greedy decoding and unset the sampling-only flags before saving ...
        def unset_sampling(model):
            model.generation_config.temperature = None
            model.generation_config.top_p = None

        saved = _load_finetune_save(base, os.path.join(tmp, "greedy"), unset_sampling)
        assert "temperature" not in json.load(open(saved))

        # ... or declare sampling
        def sample(model):
            model.generation_config.do_sample = True

        saved = _load_finetune_save(base, os.path.join(tmp, "sampling"), sample)
        assert json.load(open(saved))["do_sample"] is True

        # fix 1: drop the sampling keys from the base checkpoint's generation_config.json
        path = os.path.join(base, "generation_config.json")
        cfg = json.load(open(path))
        if not cfg.get("do_sample", False):
            for flag in ("temperature", "top_p", "top_k", "typical_p", "min_p", "epsilon_cutoff", "eta_cutoff"):
                cfg.pop(flag, None)
        json.dump(cfg, open(path, "w"), indent=2)
        assert os.path.exists(_load_finetune_save(base, os.path.join(tmp, "edited")))

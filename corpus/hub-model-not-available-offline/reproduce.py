"""Load a model that is not cached with the Hub switched off (local_files_only, what HF_HUB_OFFLINE=1 forces),
then load the same kind of model from a local folder that really holds it."""

REQUIRES = ("torch", "transformers", "huggingface_hub")
FIXES = (0,)

REPO_ID = "kbfix-offline-test/tiny-qwen2-not-cached"  # never downloaded: nothing in the cache


def reproduce():
    from transformers import AutoModelForCausalLM

    # local_files_only=True is what HF_HUB_OFFLINE=1 / TRANSFORMERS_OFFLINE=1 turn on: no request leaves the machine
    AutoModelForCausalLM.from_pretrained(REPO_ID, local_files_only=True)


def fixed():
    import os
    import tempfile

    from transformers import AutoModelForCausalLM, Qwen2Config, Qwen2ForCausalLM

    with tempfile.TemporaryDirectory() as root:
        # the folder a download on a machine with network (hf download ... --local-dir) would have produced
        local_dir = os.path.join(root, "models", "tiny-qwen2")
        config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                             num_attention_heads=2, num_key_value_heads=1)
        Qwen2ForCausalLM(config).save_pretrained(local_dir)
        # fix 0: an absolute path to a folder that exists and holds config.json, still fully offline
        path = os.path.abspath(local_dir)
        assert os.path.isfile(os.path.join(path, "config.json"))
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
        assert model.config.num_hidden_layers == 2

"""Save a tiny sharded Qwen2 checkpoint, lose its last shard (a partial download), load it with from_pretrained."""

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0, 1)


def _save_sharded(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=4,
                         num_attention_heads=2, num_key_value_heads=1)
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(folder, max_shard_size="20KB")  # several model-0000k-of-0000n.safetensors shards
    return model


def _missing_shards(folder):
    """Fix 1: every shard named in the index must exist (and be more than a pointer file)."""
    import json
    import os

    with open(os.path.join(folder, "model.safetensors.index.json"), encoding="utf-8") as f:
        index = json.load(f)
    shards = sorted(set(index["weight_map"].values()))
    return [s for s in shards if not os.path.isfile(os.path.join(folder, s)) or os.path.getsize(os.path.join(folder, s)) < 1024]


def reproduce():
    import os
    import tempfile

    from transformers import Qwen2ForCausalLM

    with tempfile.TemporaryDirectory() as folder:
        _save_sharded(folder)
        last = sorted(f for f in os.listdir(folder) if f.startswith("model-"))[-1]
        os.remove(os.path.join(folder, last))  # the download stopped before the last shard arrived
        Qwen2ForCausalLM.from_pretrained(folder)


def fixed():
    import os
    import shutil
    import tempfile

    import torch
    from transformers import Qwen2ForCausalLM

    with tempfile.TemporaryDirectory() as source, tempfile.TemporaryDirectory() as folder:
        original = _save_sharded(source)
        for name in os.listdir(source):
            shutil.copy(os.path.join(source, name), folder)
        last = sorted(f for f in os.listdir(folder) if f.startswith("model-"))[-1]
        os.remove(os.path.join(folder, last))
        missing = _missing_shards(folder)  # fix 1: the check names the lost shard
        assert missing == [last], missing
        for name in missing:  # fix 0: fetch the missing shard again from the source
            shutil.copy(os.path.join(source, name), folder)
        assert not _missing_shards(folder)
        model = Qwen2ForCausalLM.from_pretrained(folder)
        for (name, a), b in zip(original.state_dict().items(), model.state_dict().values()):
            assert torch.equal(a, b), name

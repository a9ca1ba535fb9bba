"""A tiny Llama model (built from a config, nothing downloaded) whose config carries a value JSON cannot hold:
a set of module names stored on the config, as scripts do with their LoRA targets. ``save_pretrained`` writes
config.json through ``PretrainedConfig.to_json_string`` and the json encoder raises the real
``TypeError: Object of type set is not JSON serializable``.

fixed() applies fix 0: the set becomes a sorted list, a dtype and a Path stored on the same config become strings,
and the model saves and loads again; a ``TrainerState`` whose logged metric is a tensor is written after ``.item()``.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    return LlamaForCausalLM(config)


def reproduce():
    import tempfile

    model = _model()
    model.config.lora_target_modules = {"q_proj", "v_proj"}   # a set literal where a list was meant
    with tempfile.TemporaryDirectory() as out:
        model.save_pretrained(out)                           # TypeError from json.dumps in to_json_string


def fixed():
    import json
    import os
    import pathlib
    import tempfile

    import torch
    from transformers import LlamaForCausalLM
    from transformers.trainer_callback import TrainerState

    model = _model()
    model.config.lora_target_modules = {"q_proj", "v_proj"}
    model.config.compute_dtype = torch.bfloat16
    model.config.data_dir = pathlib.Path(tempfile.gettempdir())
    # fix 0: convert each value to a JSON type before saving
    model.config.lora_target_modules = sorted(model.config.lora_target_modules)
    model.config.compute_dtype = str(model.config.compute_dtype).split(".")[-1]
    model.config.data_dir = str(model.config.data_dir)
    with tempfile.TemporaryDirectory() as out:
        model.save_pretrained(out)
        saved = json.load(open(os.path.join(out, "config.json")))
        assert saved["lora_target_modules"] == ["q_proj", "v_proj"] and saved["compute_dtype"] == "bfloat16"
        LlamaForCausalLM.from_pretrained(out)

        # the trainer state: a metric logged as a tensor is written as a number after .item()
        accuracy = torch.tensor(0.75)
        state = TrainerState(log_history=[{"eval_accuracy": accuracy.item(), "step": 1}])
        state.save_to_json(os.path.join(out, "trainer_state.json"))
        assert json.load(open(os.path.join(out, "trainer_state.json")))["log_history"][0]["eval_accuracy"] == 0.75

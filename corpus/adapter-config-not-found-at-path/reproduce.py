"""A folder without adapter_config.json handed to PEFT as a LoRA adapter: here a tiny full model saved with
``save_pretrained`` (what a merged model, a full fine-tune or ``finetuning_type: full/freeze`` leaves behind).
``PeftModel.from_pretrained(base, folder)`` first looks for ``folder/adapter_config.json``, then asks the Hub for
it with the folder as a repo id, and raises the real ``ValueError: Can't find 'adapter_config.json' at '<folder>'``
(chained to the huggingface_hub validation error). ``model.load_adapter(folder)`` in transformers raises its own
``ValueError: adapter model file not found in <folder>``.

fixed() saves a real LoRA adapter (get_peft_model + save_pretrained), checks its folder holds
adapter_config.json and adapter_model.safetensors, and loads it from that folder (fix 0); it loads the full
model folder with AutoModelForCausalLM.from_pretrained instead of PEFT (fix 1). CPU only, nothing downloaded.
"""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1)


def _base_model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    return LlamaForCausalLM(config)


def _full_model_folder(root):
    """What a merged export or a full fine-tune leaves: config.json + model.safetensors, no adapter_config.json."""
    import os

    folder = os.path.join(root, "merged")
    _base_model().save_pretrained(folder)
    return folder


def reproduce():
    import tempfile
    import traceback

    from peft import PeftModel

    with tempfile.TemporaryDirectory() as root:
        folder = _full_model_folder(root)
        try:
            PeftModel.from_pretrained(_base_model(), folder)
        except ValueError:
            peft_text = traceback.format_exc()
        else:
            raise AssertionError("PeftModel.from_pretrained loaded a folder without adapter_config.json")
        try:
            _base_model().load_adapter(folder)
        except ValueError:
            return peft_text + "\n" + traceback.format_exc()
        raise AssertionError("load_adapter loaded a folder without adapter_config.json")


def fixed():
    import os
    import tempfile

    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM

    with tempfile.TemporaryDirectory() as root:
        # fix 0: save a real adapter (a PeftModel's save_pretrained) and point the loader at that folder
        adapter = os.path.join(root, "lora-adapter")
        lora = get_peft_model(_base_model(), LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]))
        lora.save_pretrained(adapter)
        files = sorted(os.listdir(adapter))
        assert "adapter_config.json" in files and "adapter_model.safetensors" in files, files
        model = PeftModel.from_pretrained(_base_model(), adapter)
        assert any("lora_A" in name for name, _ in model.named_parameters())
        plain = _base_model()
        plain.load_adapter(adapter)
        # fix 1: a folder with config.json + weights is a full model: load it without PEFT
        folder = _full_model_folder(root)
        full = AutoModelForCausalLM.from_pretrained(folder)
        assert not any("lora_" in name for name, _ in full.named_parameters())
        return f"adapter folder: {files}\nloaded full model from {os.path.basename(folder)}: {type(full).__name__}\n"

"""Save a tiny Qwen2 with LoRA layers still injected (no merge_and_unload), then load it as a plain model."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _peft_model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    model = get_peft_model(Qwen2ForCausalLM(config), LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    for name, param in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param)  # a trained adapter: B is no longer zero
    return model


def _load_log(folder):
    """Load the folder as a plain model and return the loading report transformers prints."""
    import io
    import logging

    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    hf_logging.disable_default_handler()
    hf_logging.add_handler(handler)
    try:
        AutoModelForCausalLM.from_pretrained(folder)
    finally:
        hf_logging.remove_handler(handler)
        hf_logging.enable_default_handler()
    return stream.getvalue()


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model = _peft_model()
        model.base_model.model.save_pretrained(folder)  # the wrapped model, LoRA layers and all
        return _load_log(folder)


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        merged = _peft_model().merge_and_unload()
        merged.save_pretrained(folder)
        log = _load_log(folder)
        assert "lora_" not in log, log
        return log

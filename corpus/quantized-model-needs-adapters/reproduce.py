"""Hand a quantized tiny Llama (BitNet, runs on CPU with transformers + accelerate only) to the Trainer."""

REQUIRES = ("torch", "transformers", "accelerate", "peft")
FIXES = (0,)


def _quantized_model(mode, folder):
    """Save a tiny Llama whose config says it is BitNet-quantized and load it back through the quantizer."""
    import json
    import os

    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    LlamaForCausalLM(config).save_pretrained(folder)
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        data = json.load(f)
    # offline: packed inference weights, not trainable; online: quantization-aware (fake-quant) weights
    data["quantization_config"] = {"quant_method": "bitnet", "linear_class": "autobitlinear",
                                   "quantization_mode": mode}
    with open(path, "w") as f:
        json.dump(data, f)
    return AutoModelForCausalLM.from_pretrained(folder)


def _trainer(model, folder):
    from transformers import Trainer, TrainingArguments

    return Trainer(model=model, args=TrainingArguments(output_dir=folder, report_to=[], use_cpu=True))


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model = _quantized_model("offline", folder)
        _trainer(model, folder)  # no adapters on a quantized base model


def fixed():
    from peft import LoraConfig, get_peft_model

    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model = _quantized_model("online", folder)  # a quantization mode that supports training
        model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
        trainer = _trainer(model, folder)
        assert sum(p.numel() for p in trainer.model.parameters() if p.requires_grad) > 0

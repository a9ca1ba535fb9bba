"""A checkpoint published already quantized with a method transformers cannot train, given to the Trainer with LoRA
adapters attached. The method here is BitNet as microsoft/bitnet-b1.58-2B-4T ships it (``quant_method: bitnet``,
``linear_class: autobitlinear``, ``quantization_mode: offline``: ternary weights packed four to a byte, one scale
per layer), the one inference format whose layers run on a CPU. Its quantizer says ``is_trainable`` only for online
quantization, so ``Trainer(...)`` raises ``The model you are trying to fine-tune is quantized with
QuantizationMethod.BITNET but that quantization method do not support training`` although PEFT's LoRA wrapped
``q_proj`` / ``v_proj``.

The tiny Llama is built from a config (nothing downloads) and saved twice: as it is (the bf16 release) and as a
BitNet checkpoint (its projections ternarised and packed with transformers' own ``pack_weights``, config.json
carrying the ``quantization_config``). fixed() applies fix 1: the same LoRA and Trainer on the unquantized release,
which trains a step.
"""

from kbfix.reproduce import release_within

# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
# the last one is never installed: it stands for "transformers 5 (BitNet's AutoBitLinear loads packed weights)"
REQUIRES = ("torch", "transformers", "peft", "safetensors", "accelerate") + (
    () if release_within("transformers", (5, 0)) else ("kbfix_requires_transformers_5",))
FIXES = (1,)


def _checkpoints(work):
    """The bf16 release and its BitNet (offline, packed) checkpoint, saved under ``work``."""
    import json
    import os

    import torch
    from safetensors.torch import save_file
    from transformers.integrations.bitnet import pack_weights

    from kbfix.reproduce import tiny_llama

    model = tiny_llama()
    bf16, bitnet = os.path.join(work, "bf16"), os.path.join(work, "bitnet")
    model.save_pretrained(bf16)
    state = {}
    for name, weight in model.state_dict().items():
        if name.endswith("proj.weight"):   # the decoder's linear layers; embeddings and lm_head stay as they are
            scale = weight.abs().mean().clamp(min=1e-5)
            state[name] = pack_weights((weight / scale).round().clamp(-1, 1).to(torch.int8))
            state[name[: -len("weight")] + "weight_scale"] = scale.reshape(1)
        else:
            state[name] = weight.contiguous()
    os.makedirs(bitnet)
    save_file(state, os.path.join(bitnet, "model.safetensors"), metadata={"format": "pt"})
    config = model.config.to_dict()
    config["quantization_config"] = {"quant_method": "bitnet", "linear_class": "autobitlinear",
                                     "quantization_mode": "offline"}
    with open(os.path.join(bitnet, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return bf16, bitnet


def _train(which):
    import os
    import tempfile

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, Trainer, TrainingArguments

    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as work:
        bf16, bitnet = _checkpoints(work)
        model = AutoModelForCausalLM.from_pretrained(bitnet if which == "bitnet" else bf16)
        model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
        rows = [{"input_ids": torch.tensor([5, 6, 7, 8]), "labels": torch.tensor([5, 6, 7, 8])}] * 2
        args = TrainingArguments(output_dir=os.path.join(work, "out"), per_device_train_batch_size=2, max_steps=1,
                                 report_to=[], use_cpu=True, save_strategy="no", disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=rows)
        return model, trainer.train()


def reproduce():
    _train("bitnet")


def fixed():
    model, result = _train("bf16")   # fix 1: the unquantized release, the same adapters
    assert not getattr(model, "is_quantized", False) and result.global_step == 1, result

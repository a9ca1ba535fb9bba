"""LoRA fine-tuning of a pre-quantized bitsandbytes 4-bit checkpoint (what the ``-bnb-4bit`` repos hold) with a
DeepSpeed ZeRO-3 config, as LLaMA-Factory runs it: the training arguments carry ``deepspeed: ds_z3_config.json``
(which makes ZeRO-3 the process-wide setting, ``is_deepspeed_zero3_enabled()``), then ``load_model`` reads the
checkpoint's ``config.json``, finds its ``quantization_config`` and ``configure_quantization`` raises its real
``ValueError: DeepSpeed ZeRO-3 or FSDP is incompatible with PTQ-quantized models.`` before any weight is read.
fixed() applies fix 1 (keep the quantized model, use ZeRO-2): the same checkpoint loads with its 4-bit weights, the
LoRA adapter has trainable parameters and one real DeepSpeed ZeRO-2 step logs a loss; and, apart, fix 3 (no
quantization): the full-precision checkpoint loads under ZeRO-3, its weights partitioned by ``zero.Init``.

A tiny Llama and a word-level tokenizer built here, in temporary folders; the 4-bit checkpoint is that model quantized
on load by bitsandbytes' CPU backend and saved (``quantization_config`` with ``quant_method: bitsandbytes``). One
DeepSpeed rank on the CPU (gloo). The training arguments are built as LLaMA-Factory's parser builds them, without
its launcher check and its deepspeed<=0.16.9 pin. LLaMA-Factory checks its dependency versions when it is imported,
so this runs in an overlay of the releases it was verified with (0.9.4 and the transformers / peft / trl / datasets
/ accelerate it accepts, bitsandbytes 0.48.2, whose CPU backend transformers 4.57 accepts; the environment's
deepspeed 0.19); elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("llamafactory==0.9.4", "transformers==4.57.1", "tokenizers==0.22.1", "huggingface_hub==0.36.0",
           "datasets==4.0.0", "peft==0.17.1", "trl==0.24.0", "accelerate==1.11.0", "bitsandbytes==0.48.2",
           "omegaconf==2.3.0", "antlr4-python3-runtime==4.9.3")
# the PTQ + ZeRO-3/FSDP wording since LLaMA-Factory 0.9 (0.6 - 0.8: "... incompatible with quantized models.");
# bitsandbytes on the CPU: 0.48 with transformers 4.56+ (4.51 - 4.55 want Intel's IPEX for it)
REQUIRES = ("torch", "transformers", "peft", "deepspeed", "bitsandbytes", "llamafactory") + (
    () if release_within("llamafactory", (0, 9, 4), (0, 10)) and release_within("transformers", (4, 56), (4, 58))
    and release_within("bitsandbytes", (0, 48)) else ("kbfix_requires_llamafactory_0_9_4_transformers_4_56_bnb_0_48",))
FIXES = (0, 2)

# examples/deepspeed/ds_z3_config.json and ds_z2_config.json
ZERO = {
    "train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto",
    "gradient_clipping": "auto", "zero_allow_untested_optimizer": True,
    "bf16": {"enabled": "auto"},
}
ZERO3 = dict(ZERO, zero_optimization={"stage": 3, "overlap_comm": False, "contiguous_gradients": True,
                                      "stage3_gather_16bit_weights_on_model_save": True})
ZERO2 = dict(ZERO, zero_optimization={"stage": 2, "overlap_comm": False, "contiguous_gradients": True})


def _checkpoint(folder, quantized):
    """A base model folder (config, weights, tokenizer); ``quantized``: saved as a bitsandbytes 4-bit checkpoint."""
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    from kbfix.reproduce import tiny_llama, word_tokenizer

    tiny_llama().save_pretrained(folder)
    word_tokenizer(["hello", "world"]).save_pretrained(folder)
    if quantized:
        bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32)
        model = AutoModelForCausalLM.from_pretrained(folder, quantization_config=bnb, device_map={"": "cpu"})
        model.save_pretrained(folder)  # config.json now holds quantization_config (quant_method: bitsandbytes)


def _load_for_training(folder, output_dir, deepspeed):
    """What ``llamafactory-cli train`` does for stage sft, finetuning_type lora, deepspeed ds_z*_config.json:
    the training arguments (ZeRO from here on), the tokenizer, then load_model."""
    from llamafactory.hparams import FinetuningArguments, ModelArguments
    from llamafactory.model import load_model, load_tokenizer
    from transformers import Seq2SeqTrainingArguments

    model_args = ModelArguments(model_name_or_path=folder)
    finetuning_args = FinetuningArguments(stage="sft", finetuning_type="lora", lora_target="all", lora_rank=2)
    training_args = Seq2SeqTrainingArguments(output_dir=output_dir, deepspeed=deepspeed, do_train=True,
                                             report_to="none", use_cpu=True)
    tokenizer = load_tokenizer(model_args)["tokenizer"]
    return load_model(tokenizer, model_args, finetuning_args, is_trainable=training_args.do_train)


def _train_step(model):
    """One step of the real DeepSpeed engine (ZeRO-2) on the LoRA weights: the loss."""
    import deepspeed
    import torch

    config = dict(ZERO2, train_batch_size=1, train_micro_batch_size_per_gpu=1, gradient_accumulation_steps=1,
                  gradient_clipping=1.0, bf16={"enabled": False},
                  optimizer={"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}})
    trainable = [p for p in model.parameters() if p.requires_grad]
    engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=trainable)
    batch = torch.tensor([[1, 5, 7, 2]])
    loss = engine(input_ids=batch, labels=batch).loss
    engine.backward(loss)
    engine.step()
    return loss.item()


def _run(quantized, deepspeed, step=False):
    from kbfix.reproduce import deepspeed_rank

    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as root, deepspeed_rank():
        folder = os.path.join(root, "Llama-tiny-bnb-4bit" if quantized else "Llama-tiny")
        _checkpoint(folder, quantized)
        model = _load_for_training(folder, os.path.join(root, "saves"), deepspeed)
        base = [p for n, p in model.named_parameters() if "lora_" not in n]
        return {
            "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "dtypes": {str(p.dtype) for p in base},
            # the base weights built inside zero.Init are partitioned (ds_id); LoRA weights join at engine start
            "partitioned": all(hasattr(p, "ds_id") for p in base),
            "loss": _train_step(model) if step else None,
        }


def reproduce():
    _run(quantized=True, deepspeed=ZERO3)


def fixed():
    # fix 1: the same 4-bit checkpoint with ZeRO-2 (optimizer states and gradients sharded, weights not)
    zero2 = _run(quantized=True, deepspeed=ZERO2, step=True)
    assert zero2["trainable"] > 0 and "torch.uint8" in zero2["dtypes"] and zero2["loss"] is not None, zero2
    # fix 3: the full-precision checkpoint under the same ZeRO-3 config
    zero3 = _run(quantized=False, deepspeed=ZERO3)
    assert zero3["trainable"] > 0 and zero3["partitioned"], zero3
    return (f"ZeRO-2, 4-bit weights kept ({sorted(zero2['dtypes'])}): trainable params: {zero2['trainable']}, "
            f"first step loss {zero2['loss']:.4f}\n"
            f"ZeRO-3, no quantization: the base weights partitioned by zero.Init, trainable params: {zero3['trainable']}\n")

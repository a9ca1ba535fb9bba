"""LoRA fine-tuning of a pre-quantized (GPTQ 4-bit) checkpoint with a DeepSpeed ZeRO-3 config, as LLaMA-Factory
runs it: the training arguments carry ``deepspeed: ds_z3_config.json`` (which makes ZeRO-3 the process-wide
setting, ``is_deepspeed_zero3_enabled()``), then ``load_model`` reads the checkpoint's ``config.json``, finds its
``quantization_config`` and ``configure_quantization`` raises its real ``ValueError: DeepSpeed ZeRO-3 or FSDP is
incompatible with PTQ-quantized models.`` before any weight is read.
fixed() applies fix 3 (no quantization): the same ZeRO-3 run on the full-precision checkpoint loads, its weights
are partitioned by ZeRO-3 (``zero.Init``) and the LoRA adapter has trainable parameters. Fix 1 (ZeRO-2) is not
shown: past LLaMA-Factory's check, loading a GPTQ (or bitsandbytes) checkpoint needs gptqmodel (or bitsandbytes)
and a GPU.

A tiny Llama and a word-level tokenizer built here, in temporary folders; the "GPTQ checkpoint" is that model with
the ``quantization_config`` a GPTQ export writes into ``config.json`` (the check reads only the config). One
DeepSpeed rank on the CPU (gloo). The training arguments are built as LLaMA-Factory's parser builds them, without
its launcher check and its deepspeed<=0.16.9 pin. LLaMA-Factory checks its dependency versions when it is imported,
so this runs in an overlay of the releases it was verified with (0.9.3 and the transformers / peft / trl / datasets
/ accelerate it accepts, with the environment's deepspeed 0.19); elsewhere the test skips it.
"""

import json
import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('llamafactory==0.9.3', 'transformers==4.51.3', 'tokenizers==0.21.1', 'huggingface_hub==0.34.4',
           'datasets==3.6.0', 'peft==0.15.2', 'trl==0.9.6', 'accelerate==1.7.0', 'kernels==0.7.0',
           'omegaconf==2.3.0', 'antlr4-python3-runtime==4.9.3')
# the PTQ + ZeRO-3/FSDP wording since LLaMA-Factory 0.9 (0.6 - 0.8: "... incompatible with quantized models.")
REQUIRES = ("torch", "transformers", "peft", "deepspeed", "llamafactory") + (
    () if release_within("llamafactory", (0, 9), (0, 9, 4)) and release_within("transformers", (4, 41), (4, 53))
    else ("kbfix_requires_llamafactory_0_9_to_0_9_3_with_transformers_4_41_to_4_52",))
FIXES = (2,)

# examples/deepspeed/ds_z3_config.json
ZERO3 = {
    "train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto",
    "gradient_clipping": "auto", "zero_allow_untested_optimizer": True,
    "bf16": {"enabled": "auto"},
    "zero_optimization": {"stage": 3, "overlap_comm": False, "contiguous_gradients": True,
                          "stage3_gather_16bit_weights_on_model_save": True},
}
GPTQ = {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False, "sym": True}


def _checkpoint(folder, quantization_config=None):
    """A base model folder (config, weights, tokenizer); with ``quantization_config`` in config.json as an export has it."""
    from kbfix.reproduce import tiny_llama, word_tokenizer

    tiny_llama().save_pretrained(folder)
    word_tokenizer(["hello", "world"]).save_pretrained(folder)
    if quantization_config:
        path = os.path.join(folder, "config.json")
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
        config["quantization_config"] = quantization_config
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)


def _load_for_training(folder, output_dir):
    """What ``llamafactory-cli train`` does for stage sft, finetuning_type lora, deepspeed ds_z3_config.json:
    the training arguments (ZeRO-3 from here on), the tokenizer, then load_model."""
    from llamafactory.hparams import FinetuningArguments, ModelArguments
    from llamafactory.model import load_model, load_tokenizer
    from transformers import Seq2SeqTrainingArguments

    model_args = ModelArguments(model_name_or_path=folder)
    finetuning_args = FinetuningArguments(stage="sft", finetuning_type="lora", lora_target="all", lora_rank=2)
    training_args = Seq2SeqTrainingArguments(output_dir=output_dir, deepspeed=ZERO3, do_train=True, report_to="none",
                                             use_cpu=True)
    tokenizer = load_tokenizer(model_args)["tokenizer"]
    return load_model(tokenizer, model_args, finetuning_args, is_trainable=training_args.do_train)


def _run(quantization_config):
    from kbfix.reproduce import deepspeed_rank

    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as root, deepspeed_rank():
        folder = os.path.join(root, "Llama-tiny-GPTQ-Int4" if quantization_config else "Llama-tiny")
        _checkpoint(folder, quantization_config)
        model = _load_for_training(folder, os.path.join(root, "saves"))
        # the base weights were built inside zero.Init (partitioned: ds_id, full size in ds_numel); the LoRA
        # weights are added afterwards and partitioned when the DeepSpeed engine starts
        base = [p for n, p in model.named_parameters() if "lora_" not in n]
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        return trainable, all(hasattr(p, "ds_id") for p in base)


def reproduce():
    _run(GPTQ)


def fixed():
    # fix 3: the full-precision checkpoint (not -GPTQ / -Int4) under the same ZeRO-3 config
    trainable, partitioned = _run(None)
    assert trainable > 0 and partitioned, (trainable, partitioned)
    return f"ZeRO-3, no quantization: the base weights partitioned by zero.Init, trainable params: {trainable}\n"

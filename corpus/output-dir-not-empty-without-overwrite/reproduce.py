"""A LoRA run finished and saved its adapter (``adapter_model.safetensors``) straight into ``output_dir``, with no
``checkpoint-N`` folder (save_steps larger than the steps it ran). The same training config is started again:
LLaMA-Factory's ``get_train_args`` finds the folder holding final weights and nothing to auto-resume, and raises its
real ``ValueError: Output directory already exists and is not empty. Please set `overwrite_output_dir`.``
fixed() applies fix 1 (a new, empty output_dir) and, apart, fix 2 (``overwrite_output_dir: true``): the arguments
parse and training would start at step 0.

A tiny model and a real adapter built here, in temporary folders; nothing is downloaded. LLaMA-Factory checks its
dependency versions when it is imported, so this runs in an overlay of the releases it was verified with (0.9.3 and
the transformers / peft / trl / datasets / accelerate it accepts); elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, llamafactory_requires

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = LLAMAFACTORY_OVERLAY
# the check on CHECKPOINT_NAMES in get_train_args since 2024-05-29 (llamafactory 0.8); verified with 0.9.3
REQUIRES = llamafactory_requires(("torch", "transformers", "peft", "llamafactory"), (0, 8), (4, 41))
FIXES = (1, 2)


def _finished_lora_run(root):
    """A base model folder, and an output_dir where a finished LoRA run saved its adapter (no checkpoint-N)."""
    from peft import LoraConfig, get_peft_model

    from kbfix.reproduce import tiny_llama

    base = os.path.join(root, "base")
    output_dir = os.path.join(root, "saves", "lora", "sft")
    model = tiny_llama()
    model.save_pretrained(base)
    get_peft_model(model, LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"])).save_pretrained(output_dir)
    assert os.path.isfile(os.path.join(output_dir, "adapter_model.safetensors"))
    return base, output_dir


def _train_args(base, output_dir, **extra):
    """What ``llamafactory-cli train config.yaml`` parses first (the same dict as the YAML)."""
    from llamafactory.hparams import get_train_args

    os.environ["HF_HUB_OFFLINE"] = "1"
    config = {"model_name_or_path": base, "stage": "sft", "do_train": True, "finetuning_type": "lora",
              "lora_target": "all", "dataset": "identity", "template": "default", "output_dir": output_dir,
              "save_steps": 500, "report_to": "none", **extra}
    return get_train_args(config)


def reproduce():
    with tempfile.TemporaryDirectory() as root:
        base, output_dir = _finished_lora_run(root)
        _train_args(base, output_dir)           # the same config started again


def fixed():
    with tempfile.TemporaryDirectory() as root:
        base, output_dir = _finished_lora_run(root)
        # fix 1: a new run gets a new, empty output_dir; the finished adapter stays untouched
        training = _train_args(base, os.path.join(root, "saves", "lora", "sft-run2"))[2]
        assert training.resume_from_checkpoint is None, training.resume_from_checkpoint
        assert os.path.isfile(os.path.join(output_dir, "adapter_model.safetensors"))
        # fix 2: or write over the old folder (training starts from scratch)
        training = _train_args(base, output_dir, overwrite_output_dir=True)[2]
        assert training.overwrite_output_dir and training.resume_from_checkpoint is None
    return "a new output_dir and overwrite_output_dir: true both parse; training starts at step 0\n"

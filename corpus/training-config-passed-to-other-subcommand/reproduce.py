"""Give a LoRA training YAML to an export command's parser.

The parser is the real ``HfArgumentParser`` over argument classes shaped like the ones an export or
chat subcommand takes (model and export arguments, no ``Seq2SeqTrainingArguments``), as in
LLaMA-Factory's ``get_infer_args``. Every training key is unused, so parsing fails with
``Some keys are not used by the HfArgumentParser: ['bf16', 'do_train', ...]``. A separate export
YAML with only the model and export keys parses.
"""

REQUIRES = ("transformers",)
FIXES = (0,)

TRAIN_YAML = {
    "model_name_or_path": "Qwen/Qwen2.5-0.5B-Instruct", "adapter_name_or_path": "saves/lora/sft",
    "template": "qwen", "finetuning_type": "lora", "stage": "sft", "do_train": True,
    "output_dir": "saves/lora/sft", "per_device_train_batch_size": 1, "gradient_accumulation_steps": 8,
    "learning_rate": 1e-4, "num_train_epochs": 3.0, "bf16": True, "logging_steps": 10,
}


def _export_parser():
    from dataclasses import dataclass, field

    from transformers import HfArgumentParser

    @dataclass
    class ModelArguments:
        model_name_or_path: str = field(default=None)
        adapter_name_or_path: str = field(default=None)
        export_dir: str = field(default=None)

    @dataclass
    class FinetuningArguments:
        stage: str = field(default="sft")
        finetuning_type: str = field(default="lora")

    @dataclass
    class DataArguments:
        template: str = field(default=None)

    return HfArgumentParser((ModelArguments, DataArguments, FinetuningArguments))


def reproduce():
    _export_parser().parse_dict(TRAIN_YAML)      # llamafactory-cli export train_lora.yaml


def fixed():
    keep = ("model_name_or_path", "adapter_name_or_path", "template", "finetuning_type")
    export_yaml = {k: TRAIN_YAML[k] for k in keep} | {"export_dir": "output/merged"}
    model_args, data_args, finetuning_args = _export_parser().parse_dict(export_yaml)
    assert model_args.export_dir == "output/merged" and data_args.template == "qwen"

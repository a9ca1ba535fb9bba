"""ChatGLM3's finetune_demo/finetune_hf.py (before ChatGLM3#1008) declares its config dataclass with a shared
instance of transformers' Seq2SeqTrainingArguments as the default of a field. Seq2SeqTrainingArguments is a
non-frozen @dataclass, so its class has ``__hash__ = None``; Python 3.11+'s ``dataclasses._get_field`` refuses any
unhashable default (3.10 refused only list, dict and set) and raises "ValueError: mutable default <class
'transformers.training_args_seq2seq.Seq2SeqTrainingArguments'> for field training_args is not allowed: use
default_factory" while the class is being defined. fixed() declares the field with ``default_factory`` (fix 0) and
builds two configs that each hold their own training arguments. Needs Python 3.11 or later (the check is the
interpreter's): on 3.10 the class is built without an error.
"""

import dataclasses
import sys

REQUIRES = ("transformers",)
FIXES = (0,)


def _python311():
    if sys.version_info < (3, 11):
        raise RuntimeError(f"Python {sys.version.split()[0]} accepts unhashable dataclass defaults; run on 3.11+")


def reproduce():
    _python311()
    from transformers import Seq2SeqTrainingArguments

    @dataclasses.dataclass
    class FinetuningConfig:                      # finetune_hf.py before ChatGLM3#1008
        max_input_length: int = 128
        training_args: Seq2SeqTrainingArguments = dataclasses.field(
            default=Seq2SeqTrainingArguments(output_dir="./output", report_to="none")
        )

    return FinetuningConfig


def fixed():
    _python311()
    from transformers import Seq2SeqTrainingArguments

    @dataclasses.dataclass
    class FinetuningConfig:                      # fix 0: a factory builds a new default for every config
        max_input_length: int = 128
        training_args: Seq2SeqTrainingArguments = dataclasses.field(
            default_factory=lambda: Seq2SeqTrainingArguments(output_dir="./output", report_to="none")
        )

    first, second = FinetuningConfig(), FinetuningConfig()
    assert first.training_args is not second.training_args
    return f"two configs with their own training_args, output_dir {first.training_args.output_dir}\n"

"""A training script written for transformers <= 4.31 builds its TrainingArguments (here the
Seq2SeqTrainingArguments that ChatGLM / LLaMA-Efficient-Tuning / qlora scripts parse) and then sets fields on the
object: ``training_args.ddp_find_unused_parameters = False``, ``training_args.generation_max_length = ...``.
transformers 4.32.0 and 4.32.1 froze the object at the end of ``__post_init__`` (PR #25435): its ``__setattr__``
raises the real ``dataclasses.FrozenInstanceError: cannot assign to field ddp_find_unused_parameters``.
fixed() applies fix 0 (the values go to the constructor, or ``dataclasses.replace`` makes a new object with them,
which works in every release) and runs clean on the same 4.32.1.

Nothing is downloaded and no model is built: TrainingArguments alone raises it. Only 4.32.x freeze the arguments
(4.33.0 reverted it, PR #25903), so this runs in an overlay of the release it was verified with (4.32.1);
elsewhere the test skips it.
"""

import dataclasses
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.32.1", "tokenizers==0.13.3", "huggingface_hub==0.17.3")
# this module is never installed: it stands for "transformers 4.32.x, the releases that freeze TrainingArguments"
REQUIRES = ("torch", "transformers", "accelerate") + (
    () if release_within("transformers", (4, 32), (4, 33)) else ("kbfix_requires_transformers_4_32",))
FIXES = (0,)


def _parsed_args(output_dir):
    """What ``HfArgumentParser((..., Seq2SeqTrainingArguments)).parse_args_into_dataclasses()`` returns."""
    from transformers import HfArgumentParser, Seq2SeqTrainingArguments

    (training_args,) = HfArgumentParser(Seq2SeqTrainingArguments).parse_args_into_dataclasses(
        ["--output_dir", output_dir, "--do_train", "--report_to", "none"])
    return training_args


def reproduce():
    with tempfile.TemporaryDirectory() as output_dir:
        training_args = _parsed_args(output_dir)
        # code written for transformers <= 4.31 (ChatGLM2-6B ptuning/main.py, LLaMA-Efficient-Tuning, qlora.py)
        training_args.ddp_find_unused_parameters = False
        training_args.generation_max_length = 128


def fixed():
    from transformers import Seq2SeqTrainingArguments

    with tempfile.TemporaryDirectory() as output_dir:
        # fix 0: give the values to the constructor ...
        training_args = Seq2SeqTrainingArguments(output_dir=output_dir, do_train=True, report_to="none",
                                                 ddp_find_unused_parameters=False, generation_max_length=128)
        assert training_args.generation_max_length == 128 and training_args.ddp_find_unused_parameters is False
        # ... or, on parsed arguments, make a new object with them (dataclasses.replace runs __post_init__ again)
        training_args = dataclasses.replace(_parsed_args(output_dir), ddp_find_unused_parameters=False,
                                            generation_max_length=128)
        assert training_args.generation_max_length == 128 and training_args.ddp_find_unused_parameters is False
    return "the arguments carry ddp_find_unused_parameters=False and generation_max_length=128\n"

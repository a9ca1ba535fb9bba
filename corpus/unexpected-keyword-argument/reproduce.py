"""Training code written for transformers < 4.51 passes `evaluation_strategy`; the installed release has
only `eval_strategy`."""

import tempfile

REQUIRES = ("transformers", "torch")
FIXES = (2,)


def reproduce():
    from transformers import TrainingArguments

    TrainingArguments(output_dir=tempfile.mkdtemp(), evaluation_strategy="steps", eval_steps=10, report_to="none")


def fixed():
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=tempfile.mkdtemp(), eval_strategy="steps", eval_steps=10, report_to="none")
    assert getattr(args.eval_strategy, "value", args.eval_strategy) == "steps"

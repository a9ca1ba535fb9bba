"""Training code written for an older transformers, run against the installed one."""

import tempfile

REQUIRES = ("transformers", "torch")
FIXES = (0,)


def reproduce():
    from transformers import TrainingArguments

    # `evaluation_strategy` was renamed `eval_strategy` (4.41) and the old name was removed later.
    TrainingArguments(output_dir=tempfile.mkdtemp(), evaluation_strategy="steps", eval_steps=10,
                      report_to="none")


def fixed():
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=tempfile.mkdtemp(), eval_strategy="steps", eval_steps=10,
                             report_to="none")
    assert getattr(args.eval_strategy, "value", args.eval_strategy) == "steps"

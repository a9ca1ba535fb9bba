"""Parse a training config written for transformers 4.x (``evaluation_strategy``) with the installed
``HfArgumentParser`` and ``Seq2SeqTrainingArguments``, the way LLaMA-Factory parses its YAML.

The installed release renamed the key to ``eval_strategy``, so parsing fails with
``Some keys are not used by the HfArgumentParser: ['evaluation_strategy']``; renaming it fixes it.
"""

REQUIRES = ("transformers",)
FIXES = (0,)


def _config(folder):
    return {"output_dir": folder, "per_device_train_batch_size": 1, "learning_rate": 1e-4,
            "num_train_epochs": 1.0, "evaluation_strategy": "steps", "eval_steps": 10, "report_to": "none"}


def _parse(args):
    import dataclasses

    from transformers import HfArgumentParser, Seq2SeqTrainingArguments

    if "evaluation_strategy" in {f.name for f in dataclasses.fields(Seq2SeqTrainingArguments)}:
        raise RuntimeError("this transformers still has evaluation_strategy; the reproducer needs >= 5.0")
    return HfArgumentParser(Seq2SeqTrainingArguments).parse_dict(args)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _parse(_config(folder))


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        args = _config(folder)
        args["eval_strategy"] = args.pop("evaluation_strategy")   # the name this release knows
        (training_args,) = _parse(args)
        assert training_args.eval_strategy == "steps"

"""Ask for the best model at the end while saving every N steps and never evaluating, then align them."""

REQUIRES = ("transformers", "accelerate")
FIXES = (0,)


def _args(folder, **schedule):
    from transformers import TrainingArguments

    return TrainingArguments(output_dir=folder, load_best_model_at_end=True, report_to="none",
                             use_cpu=True, **schedule)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        # save every 100 steps, eval_strategy left at its default "no"
        _args(folder, save_strategy="steps", save_steps=100)


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        args = _args(folder, eval_strategy="steps", eval_steps=50, save_strategy="steps", save_steps=100)
        assert args.save_steps % args.eval_steps == 0

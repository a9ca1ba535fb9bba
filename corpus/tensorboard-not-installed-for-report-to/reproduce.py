"""Ask the Trainer to report to TensorBoard in an environment without tensorboard, then turn the reporting off."""

import importlib.util


def _tensorboard_absent():
    return importlib.util.find_spec("tensorboard") is None and importlib.util.find_spec("tensorboardX") is None


# with tensorboard or tensorboardX installed there is nothing to reproduce: REQUIRES then names what is missing
REQUIRES = ("torch", "transformers", "accelerate") + (() if _tensorboard_absent() else ("kbfix_requires_no_tensorboard",))
FIXES = (1,)


def _trainer(**report):
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=2)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        args = TrainingArguments(output_dir=folder, use_cpu=True, disable_tqdm=True, **report)
        return Trainer(model=BertForSequenceClassification(config), args=args)


def reproduce():
    _trainer(report_to="tensorboard")


def fixed():
    _trainer(report_to="none")

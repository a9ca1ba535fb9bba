"""Ask a Trainer to evaluate every step without giving it an evaluation set, then give it one (or stop evaluating)."""

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0, 1)


def _tiny_model():
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=2)
    return BertForSequenceClassification(config)


def _dataset():
    import torch

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return {"input_ids": torch.tensor([1, 5 + i, 7, 2]), "attention_mask": torch.ones(4, dtype=torch.long),
                    "labels": torch.tensor(i % 2)}

    return Rows()


def _trainer(folder, eval_dataset=None, **schedule):
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=folder, max_steps=1, per_device_train_batch_size=2, save_strategy="no",
                             report_to="none", use_cpu=True, disable_tqdm=True, **schedule)
    return Trainer(model=_tiny_model(), args=args, train_dataset=_dataset(), eval_dataset=eval_dataset)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        # eval_strategy="steps" (or load_best_model_at_end / EarlyStoppingCallback) but no eval_dataset
        _trainer(folder, eval_strategy="steps", eval_steps=1).train()


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        # fix 0: pass an evaluation set
        trainer = _trainer(folder, eval_dataset=_dataset(), eval_strategy="steps", eval_steps=1)
        trainer.train()
        assert any("eval_loss" in record for record in trainer.state.log_history)
    with tempfile.TemporaryDirectory() as folder:
        # fix 1: do not evaluate
        _trainer(folder, eval_strategy="no").train()

"""Add an EarlyStoppingCallback with the default arguments (no evaluation schedule, no metric), then set them."""

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0,)


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


def _train(folder, **schedule):
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments

    args = TrainingArguments(output_dir=folder, max_steps=2, per_device_train_batch_size=2, save_only_model=True,
                             report_to="none", use_cpu=True, disable_tqdm=True, **schedule)
    trainer = Trainer(model=_tiny_model(), args=args, train_dataset=_dataset(), eval_dataset=_dataset(),
                      callbacks=[EarlyStoppingCallback(early_stopping_patience=1)])
    trainer.train()
    return trainer


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _train(folder)  # eval_strategy "no", load_best_model_at_end False, metric_for_best_model None


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        trainer = _train(folder, eval_strategy="steps", eval_steps=1, save_strategy="steps", save_steps=1,
                         load_best_model_at_end=True, metric_for_best_model="eval_loss", greater_is_better=False)
        assert trainer.state.best_metric is not None

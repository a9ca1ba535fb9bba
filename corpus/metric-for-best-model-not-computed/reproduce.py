"""Select the best checkpoint by "accuracy" while the evaluation only returns its loss, then compute it."""

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


def _train(folder, compute_metrics=None, **best):
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=folder, max_steps=1, per_device_train_batch_size=2,
                             eval_strategy="steps", eval_steps=1, save_strategy="steps", save_steps=1,
                             load_best_model_at_end=True, save_only_model=True, report_to="none",
                             use_cpu=True, disable_tqdm=True, **best)
    trainer = Trainer(model=_tiny_model(), args=args, train_dataset=_dataset(), eval_dataset=_dataset(),
                      compute_metrics=compute_metrics)
    trainer.train()
    return trainer


def _accuracy(eval_pred):
    import numpy as np

    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, axis=-1) == labels).mean())}


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _train(folder, metric_for_best_model="accuracy")  # no compute_metrics: only eval_loss exists


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        # fix 0: a compute_metrics that returns the metric
        trainer = _train(folder, compute_metrics=_accuracy, metric_for_best_model="accuracy")
        assert trainer.state.best_metric is not None
    with tempfile.TemporaryDirectory() as folder:
        # fix 1: name a metric the evaluation returns
        trainer = _train(folder, metric_for_best_model="loss", greater_is_better=False)
        assert trainer.state.best_metric is not None

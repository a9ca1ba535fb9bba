"""Add an EarlyStoppingCallback with the default arguments (no evaluation schedule, no metric), then set them."""

from kbfix.reproduce import tiny_bert_classifier, tiny_classification_rows

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0,)


def _train(folder, **schedule):
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments

    args = TrainingArguments(output_dir=folder, max_steps=2, per_device_train_batch_size=2, save_only_model=True,
                             report_to="none", use_cpu=True, disable_tqdm=True, **schedule)
    trainer = Trainer(model=tiny_bert_classifier(), args=args, train_dataset=tiny_classification_rows(),
                      eval_dataset=tiny_classification_rows(),
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

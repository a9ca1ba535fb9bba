"""Train a tiny classifier with the real ``Trainer`` and a collator that tokenizes the raw ``text`` column.

``remove_unused_columns=True`` (the default) wraps the collator in ``RemoveColumnsCollator``, which keeps
only the keys named in ``model.forward`` (plus ``label``): ``text`` is dropped before the collator runs,
so it fails with ``KeyError: 'text'``. With ``remove_unused_columns=False`` the batch is built.
"""

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0,)

ROWS = [{"text": "w1 w2 w3", "label": 0}, {"text": "w4 w5", "label": 1}]


def _collate(features):
    import torch

    vocab = {f"w{i}": i for i in range(1, 10)}
    ids = [[vocab[w] for w in f["text"].split()] for f in features]       # needs the raw text
    width = max(map(len, ids))
    input_ids = torch.tensor([row + [0] * (width - len(row)) for row in ids])
    return {"input_ids": input_ids, "attention_mask": (input_ids != 0).long(),
            "labels": torch.tensor([f["label"] for f in features])}


def _first_batch(folder, remove_unused_columns):
    from transformers import Qwen2Config, Qwen2ForSequenceClassification, Trainer, TrainingArguments

    config = Qwen2Config(vocab_size=16, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, num_labels=2, pad_token_id=0)
    args = TrainingArguments(output_dir=folder, per_device_train_batch_size=2, report_to="none",
                             remove_unused_columns=remove_unused_columns, use_cpu=True)
    trainer = Trainer(model=Qwen2ForSequenceClassification(config), args=args, train_dataset=ROWS,
                      data_collator=_collate)
    return next(iter(trainer.get_train_dataloader()))


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _first_batch(folder, remove_unused_columns=True)


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        batch = _first_batch(folder, remove_unused_columns=False)
        assert batch["input_ids"].shape == (2, 3)

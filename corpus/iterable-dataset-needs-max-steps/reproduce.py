"""Train a tiny model on a torch IterableDataset (a streaming dataset has no length) without max_steps, then set it."""

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0,)


def _tiny_model():
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=2)
    return BertForSequenceClassification(config)


def _stream():
    import torch

    class Stream(torch.utils.data.IterableDataset):  # like load_dataset(..., streaming=True): no __len__
        def __iter__(self):
            for i in range(8):
                yield {"input_ids": torch.tensor([1, 5 + i, 7, 2]), "attention_mask": torch.ones(4, dtype=torch.long),
                       "labels": torch.tensor(i % 2)}

    return Stream()


def _trainer(folder, **steps):
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=folder, per_device_train_batch_size=2, save_strategy="no",
                             report_to="none", use_cpu=True, disable_tqdm=True, **steps)
    return Trainer(model=_tiny_model(), args=args, train_dataset=_stream())


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _trainer(folder, num_train_epochs=1).train()  # max_steps left at -1


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        trainer = _trainer(folder, max_steps=3)  # steps = examples x epochs / (batch size x grad accumulation x GPUs)
        trainer.train()
        assert trainer.state.global_step == 3

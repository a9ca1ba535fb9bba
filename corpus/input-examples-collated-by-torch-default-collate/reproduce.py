"""A torch DataLoader over sentence-transformers InputExample objects, iterated outside fit(): without
sentence-transformers' collate function, PyTorch's default_collate meets an InputExample and refuses it. The fix
collates the batch with model.smart_batching_collate (tiny BERT built from a config; nothing downloads)."""

REQUIRES = ("torch", "transformers", "sentence_transformers")
FIXES = (0,)

_WORDS = "my first second sentence another pair unrelated".split()


def _examples():
    from sentence_transformers import InputExample

    return [InputExample(texts=["My first sentence", "My second sentence"], label=0.8),
            InputExample(texts=["Another pair", "Unrelated sentence"], label=0.3)]


def reproduce():
    from torch.utils.data import DataLoader

    train_dataloader = DataLoader(_examples(), shuffle=True, batch_size=16)
    next(iter(train_dataloader))


def fixed():
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from torch.utils.data import DataLoader

    from kbfix.reproduce import tiny_sentence_transformer

    with tempfile.TemporaryDirectory() as folder:
        model = tiny_sentence_transformer(folder, _WORDS, vocab=16)
        # fix 0: let sentence-transformers collate (tokenize) the InputExample batch
        train_dataloader = DataLoader(_examples(), shuffle=True, batch_size=16)
        train_dataloader.collate_fn = model.smart_batching_collate
        features, labels = next(iter(train_dataloader))
        assert labels.shape == (2,) and "input_ids" in features[0]

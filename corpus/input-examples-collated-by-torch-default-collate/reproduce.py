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
    import torch
    from sentence_transformers import SentenceTransformer, models
    from torch.utils.data import DataLoader
    from transformers import BertConfig, BertModel

    from kbfix.reproduce import word_tokenizer

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        BertModel(BertConfig(vocab_size=16, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                             intermediate_size=32, max_position_embeddings=32)).save_pretrained(folder)
        word_tokenizer(_WORDS).save_pretrained(folder)
        word = models.Transformer(folder, max_seq_length=16)
        model = SentenceTransformer(modules=[word, models.Pooling(_dimension(word))],
                                    device="cpu")
        # fix 0: let sentence-transformers collate (tokenize) the InputExample batch
        train_dataloader = DataLoader(_examples(), shuffle=True, batch_size=16)
        train_dataloader.collate_fn = model.smart_batching_collate
        features, labels = next(iter(train_dataloader))
        assert labels.shape == (2,) and "input_ids" in features[0]


def _dimension(word):
    # sentence-transformers 6 renamed get_word_embedding_dimension to get_embedding_dimension
    getter = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    return getter()

"""A sentence-transformers SentenceTransformerTrainer run (SoftmaxLoss over sentence pairs) whose "label" column
holds the class names ("entailment", "contradiction") instead of class ids: the data collator turns the label
column into a tensor and torch refuses the strings. Tiny BERT built from a config, nothing downloads."""

REQUIRES = ("torch", "transformers", "sentence_transformers", "datasets")
FIXES = (0,)

_WORDS = "a man plays guitar woman sings cat sleeps dog runs the on sofa".split()
_PAIRS = [("a man plays guitar", "a man sings"), ("a cat sleeps", "a dog runs"),
          ("the woman sings", "a woman sings"), ("a dog runs", "the cat sleeps on the sofa")]
_NAMES = ["entailment", "contradiction", "entailment", "contradiction"]


def _train(labels):
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers import SentenceTransformerTrainingArguments, losses, models
    from transformers import BertConfig, BertModel

    from kbfix.reproduce import word_tokenizer

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        base = os.path.join(folder, "tiny-bert")
        BertModel(BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                             intermediate_size=32, max_position_embeddings=32)).save_pretrained(base)
        word_tokenizer(_WORDS).save_pretrained(base)
        word = models.Transformer(base, max_seq_length=16)
        model = SentenceTransformer(modules=[word, models.Pooling(_dimension(word))],
                                    device="cpu")
        data = Dataset.from_dict({"premise": [p for p, _ in _PAIRS], "hypothesis": [h for _, h in _PAIRS],
                                  "label": labels})
        loss = losses.SoftmaxLoss(model, model.get_sentence_embedding_dimension(), num_labels=2)
        args = SentenceTransformerTrainingArguments(output_dir=os.path.join(folder, "out"), max_steps=1,
                                                    per_device_train_batch_size=4, report_to=[], use_cpu=True,
                                                    save_strategy="no", logging_strategy="no")
        SentenceTransformerTrainer(model=model, args=args, train_dataset=data, loss=loss).train()


def reproduce():
    _train(_NAMES)


def fixed():
    # fix 0: map the class names to ids once, before training
    names = sorted(set(_NAMES))
    label2id = {name: i for i, name in enumerate(names)}
    _train([label2id[name] for name in _NAMES])


def _dimension(word):
    # sentence-transformers 6 renamed get_word_embedding_dimension to get_embedding_dimension
    getter = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    return getter()

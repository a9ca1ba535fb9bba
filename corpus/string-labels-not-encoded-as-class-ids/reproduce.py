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
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses

    from kbfix.reproduce import tiny_sentence_transformer

    with tempfile.TemporaryDirectory() as folder:
        model = tiny_sentence_transformer(os.path.join(folder, "tiny-bert"), _WORDS, vocab=32)
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


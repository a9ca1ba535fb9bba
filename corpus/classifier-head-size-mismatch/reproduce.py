"""Fine-tune-style load: a tiny BERT saved with 2 labels, loaded with num_labels=5.

transformers 5 prints a LOAD REPORT table through its logger and then raises a short RuntimeError; the
table is what shows that only the classifier differs, so reproduce() returns the log and the traceback.
"""

from kbfix.reproduce import transformers_load_failure

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _save_two_label_model(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=2)
    BertForSequenceClassification(config).save_pretrained(folder)


def reproduce():
    import tempfile

    from transformers import BertForSequenceClassification

    with tempfile.TemporaryDirectory() as folder:
        _save_two_label_model(folder)
        return transformers_load_failure(lambda: BertForSequenceClassification.from_pretrained(folder, num_labels=5))


def fixed():
    import tempfile

    import torch
    from safetensors.torch import load_file
    from transformers import BertForSequenceClassification

    with tempfile.TemporaryDirectory() as folder:
        _save_two_label_model(folder)
        model = BertForSequenceClassification.from_pretrained(folder, num_labels=5, ignore_mismatched_sizes=True)
        assert model.classifier.weight.shape == (5, 16)
        saved = load_file(f"{folder}/model.safetensors")
        # the encoder is the checkpoint's; only the head was freshly initialised
        assert torch.equal(model.bert.embeddings.word_embeddings.weight, saved["bert.embeddings.word_embeddings.weight"])

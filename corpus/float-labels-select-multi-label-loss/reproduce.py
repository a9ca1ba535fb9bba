"""A tiny two-class BertForSequenceClassification gets its class ids as floats (as read from pandas),
so the head infers multi_label_classification and BCEWithLogitsLoss rejects one label per example."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _model(problem_type=None):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=2,
                        problem_type=problem_type)
    return BertForSequenceClassification(config)


def _step(model, labels):
    import torch

    input_ids = torch.tensor([[2, 7, 9, 3]] * len(labels))
    out = model(input_ids=input_ids, labels=labels)
    out.loss.backward()
    return out.loss


def reproduce():
    import torch

    labels = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0])  # df["label"] as float64 -> float
    _step(_model(), labels)


def fixed():
    import tempfile

    import torch
    from transformers import BertForSequenceClassification

    labels = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    # fix 0: integer class ids -> single_label_classification (CrossEntropy)
    model = _model()
    _step(model, labels.long())
    assert model.config.problem_type == "single_label_classification"

    # fix 1: a checkpoint that stored problem_type="multi_label_classification" fails even with long
    # labels; overriding problem_type when loading restores the classification loss
    with tempfile.TemporaryDirectory() as folder:
        _model("multi_label_classification").save_pretrained(folder)
        assert BertForSequenceClassification.from_pretrained(folder).config.problem_type == "multi_label_classification"
        model = BertForSequenceClassification.from_pretrained(folder, problem_type="single_label_classification")
        _step(model, labels.long())

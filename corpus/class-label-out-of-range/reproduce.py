"""Train a tiny BERT classifier on five classes with the default two-output head, then size the head."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _model(**head):
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, **head)
    return BertForSequenceClassification(config)


def _batch():
    import torch

    return {"input_ids": torch.tensor([[1, 5, 7, 2], [1, 6, 8, 2]]), "labels": torch.tensor([4, 1])}  # classes 0..4


def reproduce():
    _model()(**_batch())  # num_labels defaults to 2


def fixed():
    import torch

    labels = [0, 1, 2, 3, 4]
    id2label = {i: f"class_{i}" for i in labels}
    model = _model(num_labels=len(labels), id2label=id2label, label2id={v: k for k, v in id2label.items()})
    loss = model(**_batch()).loss
    assert torch.isfinite(loss), loss

"""Train one step of a tiny BertForSequenceClassification(num_labels=2) on a batch with label 5."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _model(num_labels):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=num_labels)
    return BertForSequenceClassification(config)


def _step(model, labels):
    import torch

    input_ids = torch.tensor([[2, 7, 9, 3], [2, 11, 4, 3], [2, 5, 6, 3]])
    out = model(input_ids=input_ids, labels=torch.tensor(labels))
    out.loss.backward()
    return out


def reproduce():
    _step(_model(num_labels=2), [5, 1, 0])  # six classes in the data, a head of two


def fixed():
    raw = [5, 1, 0]
    # fix 0: a head with as many outputs as the data has classes
    _step(_model(num_labels=max(raw) + 1), raw)
    # fix 1: or remap the labels that occur to 0..N-1 and size the head to N
    label2id = {label: i for i, label in enumerate(sorted(set(raw)))}
    _step(_model(num_labels=len(label2id)), [label2id[label] for label in raw])

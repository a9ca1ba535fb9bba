"""One training step of a tiny multi-label BertForSequenceClassification on integer multi-hot labels.

(The num_labels=1 / MSELoss form fails the same way on older torch and on CUDA/MPS, but recent CPU
builds promote an integer MSE target silently, so the CPU reproducer uses the BCEWithLogits form.)
"""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _model(num_labels, problem_type):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=num_labels,
                        problem_type=problem_type)
    return BertForSequenceClassification(config)


def _step(model, labels):
    import torch

    input_ids = torch.tensor([[2, 7, 9, 3], [2, 11, 4, 3]])
    out = model(input_ids=input_ids, labels=labels)
    out.loss.backward()
    return out.loss


def reproduce():
    import torch

    multi_hot = torch.tensor([[1, 0, 1], [0, 1, 0]])  # built from ints: dtype int64
    _step(_model(3, "multi_label_classification"), multi_hot)


def fixed():
    import torch

    # fix 0: multi-hot (or regression) labels as float
    multi_hot = torch.tensor([[1, 0, 1], [0, 1, 0]]).float()
    _step(_model(3, "multi_label_classification"), multi_hot)
    _step(_model(1, "regression"), torch.tensor([0.7, 2.5]))
    # fix 1: the labels are really one class each: a classification head over the classes
    _step(_model(3, "single_label_classification"), torch.tensor([2, 0]))

"""Load a tiny BERT pre-training checkpoint into a sequence classifier: the expected load report.

reproduce() returns what transformers prints (UNEXPECTED cls.* rows, MISSING classifier.* rows). The "fix" is to
confirm it is harmless: fixed() loads the same way and checks that every encoder weight came from the checkpoint.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _config():
    from transformers import BertConfig

    return BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=32, max_position_embeddings=32)


def _load_with_log(folder):
    import io
    import logging

    from transformers import BertForSequenceClassification
    from transformers.utils import logging as hf_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    hf_logging.disable_default_handler()
    hf_logging.add_handler(handler)
    try:
        model = BertForSequenceClassification.from_pretrained(folder, num_labels=3)
    finally:
        hf_logging.remove_handler(handler)
        hf_logging.enable_default_handler()
    return model, stream.getvalue()


def reproduce():
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import BertForPreTraining

    with tempfile.TemporaryDirectory() as folder:
        BertForPreTraining(_config()).save_pretrained(folder)
        return _load_with_log(folder)[1]


def fixed():
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertForPreTraining

    with tempfile.TemporaryDirectory() as folder:
        pretrained = BertForPreTraining(_config())
        pretrained.save_pretrained(folder)
        model, log = _load_with_log(folder)
        # only pre-training heads unused and the new classifier initialised ...
        assert "cls." in log and "classifier." in log
        # ... and the whole encoder came from the checkpoint
        for name, tensor in pretrained.bert.state_dict().items():
            assert torch.equal(model.bert.state_dict()[name], tensor), name
        assert torch.isfinite(model(torch.tensor([[1, 2, 3]])).logits).all()

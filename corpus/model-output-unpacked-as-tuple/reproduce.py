"""A BERT classifier written for transformers 3.x (the tutorials' ``BertClass`` / ``SentimentClassifier``) unpacks the
encoder's output as a tuple: ``_, pooled_output = self.bert(ids, attention_mask=mask)``. Since transformers 4.0 the
model returns a ModelOutput (``return_dict=True`` by default), an OrderedDict whose iteration yields its KEYS, so
``pooled_output`` is the string ``'pooler_output'`` and the next layer raises torch's real
``TypeError: dropout(): argument 'input' (position 1) must be Tensor, not str``.
fixed() applies fix 0 (``return_dict=False``, in the call and, apart, in ``from_pretrained``: the tuple again) and
fix 1 (read ``outputs.pooler_output`` by name): the classifier returns logits.

A tiny BertModel is built from a BertConfig (and saved to a temporary folder for the from_pretrained variant);
nothing is downloaded.
"""

import tempfile

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _classifier(bert, unpack):
    """The tutorials' classifier head on top of ``bert``; ``unpack(bert, ids, mask)`` returns the pooled output."""
    import torch

    class BertClass(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert
            self.drop = torch.nn.Dropout(0.3)
            self.out = torch.nn.Linear(bert.config.hidden_size, 2)

        def forward(self, ids, mask):
            return self.out(self.drop(unpack(self.bert, ids, mask)))

    return BertClass()


def _batch():
    import torch

    ids = torch.tensor([[2, 5, 7, 9, 3], [2, 6, 8, 3, 0]])
    return ids, (ids != 0).long()


def _bert(**extra):
    """A one-layer BERT encoder, 16 wide, built from its config."""
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig(vocab_size=16, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=32, max_position_embeddings=32, **extra))


def reproduce():
    def unpack(bert, ids, mask):
        _, pooled_output = bert(ids, attention_mask=mask)        # transformers 3.x: (last_hidden_state, pooler_output)
        return pooled_output

    _classifier(_bert(), unpack)(*_batch())


def fixed():
    from transformers import BertModel

    ids, mask = _batch()
    # fix 0: return_dict=False in the call gives the tuple back
    logits = _classifier(_bert(), lambda bert, i, m: bert(i, attention_mask=m, return_dict=False)[1])(ids, mask)
    assert tuple(logits.shape) == (2, 2), logits.shape
    # fix 0, at load time: from_pretrained(..., return_dict=False) sets it in the config, so the 3.x unpacking works
    with tempfile.TemporaryDirectory() as folder:
        _bert().save_pretrained(folder)
        bert = BertModel.from_pretrained(folder, return_dict=False)

        def unpack(bert, i, m):
            _, pooled_output = bert(i, attention_mask=m)
            return pooled_output

        assert tuple(_classifier(bert, unpack)(ids, mask).shape) == (2, 2)
    # fix 1: read the field by name
    logits = _classifier(_bert(), lambda bert, i, m: bert(i, attention_mask=m).pooler_output)(ids, mask)
    assert tuple(logits.shape) == (2, 2), logits.shape
    return "logits of shape (2, 2) with return_dict=False (call and from_pretrained) and with outputs.pooler_output\n"

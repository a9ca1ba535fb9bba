"""A tiny BertModel built from a config is fed token ids made with ``torch.Tensor(list)`` (always float32, unlike
``torch.tensor``), as a hand-written collator does: the embedding lookup raises "RuntimeError: Expected tensor for
argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead
(while checking arguments for embedding)". fixed() builds the same ids with ``dtype=torch.long`` and also casts the
float batch with ``.long()`` at the call (fix 0).
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

IDS = [[2, 7, 9, 3, 0, 0], [2, 11, 4, 5, 6, 3]]
MASK = [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]]


def _model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=16)
    return BertModel(config).eval()


def reproduce():
    import torch

    batch = {"input_ids": torch.Tensor(IDS), "attention_mask": torch.Tensor(MASK)}   # float32 ids
    with torch.no_grad():
        _model()(**batch)


def fixed():
    import torch

    model = _model()
    with torch.no_grad():
        # fix 0: build the ids as integers where the batch is made ...
        good = {"input_ids": torch.tensor(IDS, dtype=torch.long), "attention_mask": torch.tensor(MASK, dtype=torch.long)}
        out = model(**good).last_hidden_state
        # ... or cast the float ids at the call (whole-number ids only)
        floats = torch.Tensor(IDS)
        same = model(input_ids=floats.long(), attention_mask=torch.Tensor(MASK)).last_hidden_state
    assert torch.allclose(out, same)
    return f"input_ids {good['input_ids'].dtype} -> last_hidden_state {tuple(out.shape)}\n"

"""Cache the features of a frozen tiny BERT under torch.inference_mode, then train a linear head on them."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _encoder():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    return BertModel(config).eval()


def _train_head(feats):
    import torch

    head = torch.nn.Linear(feats.shape[-1], 2)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3)
    labels = torch.tensor([0, 1, 1])
    loss = torch.nn.functional.cross_entropy(head(feats), labels)
    loss.backward()
    optimizer.step()
    return loss


def _input_ids():
    import torch

    return torch.tensor([[2, 7, 9, 3], [2, 11, 4, 3], [2, 5, 6, 3]])


def reproduce():
    import torch

    encoder = _encoder()
    with torch.inference_mode():  # "faster than no_grad" feature cache
        feats = encoder(input_ids=_input_ids()).pooler_output
    _train_head(feats)


def fixed():
    import torch

    encoder = _encoder()
    # fix 0: build the cache under no_grad
    with torch.no_grad():
        feats = encoder(input_ids=_input_ids()).pooler_output
    assert not feats.is_inference()
    _train_head(feats)
    # fix 1: an existing inference tensor, cloned outside inference mode
    with torch.inference_mode():
        cached = encoder(input_ids=_input_ids()).pooler_output
    _train_head(cached.clone())

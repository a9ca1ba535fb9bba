"""Call a tiny BERT with the 1-D token ids of one example, then with the batch dimension added."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _tiny_bert():
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=37, max_position_embeddings=64)
    return BertModel(config).eval()


def reproduce():
    import torch

    model = _tiny_bert()
    input_ids = torch.tensor([2, 15, 27, 9, 3])          # one example: shape [5]
    attention_mask = torch.ones_like(input_ids)
    model(input_ids=input_ids, attention_mask=attention_mask)


def fixed():
    import torch

    model = _tiny_bert()
    input_ids = torch.tensor([2, 15, 27, 9, 3]).unsqueeze(0)   # [1, 5]
    attention_mask = torch.ones_like(input_ids)
    out = model(input_ids=input_ids, attention_mask=attention_mask)
    assert out.last_hidden_state.shape[:2] == (1, 5)

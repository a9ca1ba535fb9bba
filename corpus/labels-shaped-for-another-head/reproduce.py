"""Train one step of a tiny BertForSequenceClassification on masked-LM style labels (one per token)."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _config():
    from transformers import BertConfig

    return BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=32, max_position_embeddings=32, num_labels=3)


def _batch():
    import torch

    input_ids = torch.tensor([[2, 7, 9, 11, 4, 3], [2, 5, 6, 8, 10, 3]])
    labels = torch.full_like(input_ids, -100)
    labels[:, 2] = input_ids[:, 2]  # what DataCollatorForLanguageModeling yields: one label per token
    return input_ids, labels


def reproduce():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(0)
    input_ids, labels = _batch()
    model = BertForSequenceClassification(_config())  # one prediction per sequence
    model(input_ids=input_ids, labels=labels).loss.backward()


def fixed():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import BertForMaskedLM, GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    input_ids, labels = _batch()
    # fix 0: the head that matches per-token labels
    BertForMaskedLM(_config())(input_ids=input_ids, labels=labels).loss.backward()
    # fix 1: a decoder-only LM gets labels as long as its input (prompt positions masked with -100)
    prompt, target = [2, 7, 9], [11, 4, 3]
    ids = torch.tensor([prompt + target])
    lm_labels = torch.tensor([[-100] * len(prompt) + target])
    lm = GPT2LMHeadModel(GPT2Config(vocab_size=64, n_embd=16, n_layer=1, n_head=2, n_positions=32,
                                    bos_token_id=1, eos_token_id=1))
    lm(input_ids=ids, labels=lm_labels).loss.backward()

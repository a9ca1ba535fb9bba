"""Collate two tokenized examples of different lengths whose labels nobody pads."""

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0, 1, 2)

TEXTS = ["the cat sat on a mat", "the dog ran"]


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = "the cat sat on a mat dog ran".split()
    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(words)}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", unk_token="[UNK]")


def _features(tokenizer):
    # what a causal-LM preprocessing map() produces: labels = a copy of input_ids, unpadded
    encoded = tokenizer(TEXTS)
    return [{"input_ids": ids, "attention_mask": [1] * len(ids), "labels": list(ids)}
            for ids in encoded["input_ids"]]


def reproduce():
    from transformers import DataCollatorWithPadding

    tokenizer = _tokenizer()
    DataCollatorWithPadding(tokenizer)(_features(tokenizer))  # pads input_ids, not labels


def fixed():
    from transformers import DataCollatorForSeq2Seq

    tokenizer = _tokenizer()
    # fix 0: a collator that pads labels too (with -100, ignored by the loss)
    batch = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)(_features(tokenizer))
    assert batch["labels"].shape == batch["input_ids"].shape
    assert (batch["labels"][1, 3:] == -100).all()
    # fix 1: pad (and truncate) when tokenizing a batch straight to tensors
    direct = tokenizer(TEXTS, padding=True, truncation=True, max_length=16, return_tensors="pt")
    assert direct["input_ids"].shape == (2, 6)
    # fix 2: a plain DataLoader whose collate_fn pads (default_collate would torch.stack ragged rows)
    import torch
    from torch.nn.utils.rnn import pad_sequence
    from torch.utils.data import DataLoader

    rows = [{k: torch.tensor(v) for k, v in f.items()} for f in _features(tokenizer)]

    def collate(batch):
        ids = pad_sequence([r["input_ids"] for r in batch], batch_first=True, padding_value=tokenizer.pad_token_id)
        labels = pad_sequence([r["labels"] for r in batch], batch_first=True, padding_value=-100)
        return {"input_ids": ids, "attention_mask": (ids != tokenizer.pad_token_id).long(), "labels": labels}

    loaded = next(iter(DataLoader(rows, batch_size=2, collate_fn=collate)))
    assert loaded["input_ids"].shape == loaded["labels"].shape == (2, 6)

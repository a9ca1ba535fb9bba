"""Collate two tokenized examples of different lengths whose labels nobody pads."""

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0, 1)

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

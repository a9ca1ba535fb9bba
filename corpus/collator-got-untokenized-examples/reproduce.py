"""Raw {'text': ...} examples (a dataset whose map(tokenize) result was never used) reach DataCollatorWithPadding:
the real tokenizer.pad raises "ValueError: You should supply an encoding or a list of encodings to this method that
includes input_ids, but you provided ['text']". fixed() tokenizes first with Dataset.map(batched=True,
remove_columns=...) and the collator pads (fix 0), then shows tokenized examples that still carry their `text`
string (remove_unused_columns=False) failing with "too many dimensions 'str'" until the column is dropped (fix 1).
A tiny WordLevel tokenizer, built in memory; CPU only.
"""

REQUIRES = ("torch", "transformers", "tokenizers", "datasets")
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


def _raw():
    from datasets import Dataset

    return Dataset.from_dict({"text": TEXTS, "label": [1, 0]})


def reproduce():
    from transformers import DataCollatorWithPadding

    tokenizer = _tokenizer()
    raw = _raw().remove_columns("label")
    raw.map(lambda batch: tokenizer(batch["text"]), batched=True)      # result never assigned: raw is unchanged
    DataCollatorWithPadding(tokenizer)([raw[i] for i in range(len(raw))])


def fixed():
    from transformers import DataCollatorWithPadding

    tokenizer = _tokenizer()
    collator = DataCollatorWithPadding(tokenizer)
    raw = _raw()
    # fix 0: tokenize, drop the raw text column, train on the tokenized split
    tokenized = raw.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length=16),
                        batched=True, remove_columns=["text"])
    batch = collator([tokenized[i] for i in range(len(tokenized))])
    assert batch["input_ids"].shape == (2, 6) and batch["labels"].tolist() == [1, 0]
    # fix 1: tokenized examples that still carry a string column fail until it is removed
    with_text = raw.map(lambda batch: tokenizer(batch["text"]), batched=True)       # keeps "text"
    try:
        collator([with_text[i] for i in range(len(with_text))])
    except ValueError as e:
        assert "too many dimensions 'str'" in str(e.__cause__) or "Unable to create tensor" in str(e)
    else:
        raise AssertionError("a string column should not be tensorizable")
    keep = {"input_ids", "attention_mask", "label"}
    cleaned = with_text.remove_columns([c for c in with_text.column_names if c not in keep])
    batch = collator([cleaned[i] for i in range(len(cleaned))])
    assert set(batch) == {"input_ids", "attention_mask", "labels"}

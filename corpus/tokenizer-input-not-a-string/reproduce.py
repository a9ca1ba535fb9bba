"""A small SFT-style dataset read from a CSV-like table: one row's text cell is empty, so 🤗 datasets holds None
there. A batched `Dataset.map` passes the column to a fast tokenizer (a WordLevel PreTrainedTokenizerFast built here,
no download); transformers hands the batch to the Rust `encode_batch`, which refuses the None with
"TypeError: TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]" (the same error
for a NaN or a number read from a spreadsheet).

fixed() applies fix 0: the rows whose text is not a string are dropped (`Dataset.filter`) and the rest cast with
`str(...)` before mapping, and checks that every remaining row was tokenized.
"""

REQUIRES = ("tokenizers", "transformers", "datasets")
FIXES = (0,)

ROWS = {
    "text": ["hello world", "world hello hello", None, "hello"],
    "label": [0, 1, 0, 1],
}


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[UNK]": 0, "[PAD]": 1, "hello": 2, "world": 3}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]")


def reproduce():
    from datasets import Dataset

    tok = _tokenizer()
    ds = Dataset.from_dict(ROWS)
    ds.map(lambda batch: tok(batch["text"], truncation=True, max_length=16), batched=True)
    raise AssertionError("the None row was tokenized without an error")


def fixed():
    from datasets import Dataset

    tok = _tokenizer()
    ds = Dataset.from_dict(ROWS)
    ds = ds.filter(lambda row: isinstance(row["text"], str) and row["text"].strip() != "")
    ds = ds.map(lambda batch: {"text": [str(t) for t in batch["text"]]}, batched=True)
    out = ds.map(lambda batch: tok(batch["text"], truncation=True, max_length=16), batched=True)
    assert len(out) == 3 and all(len(ids) > 0 for ids in out["input_ids"]), out["input_ids"]
    return f"{len(out)} rows tokenized after dropping the empty one\n"

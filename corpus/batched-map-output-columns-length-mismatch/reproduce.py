"""A batched map that splits each text into chunks of two words (as group_texts or return_overflowing_tokens=True do)
returns more rows than it got, while the input columns `text` and `label` are kept: the real datasets ArrowWriter
raises "pyarrow.lib.ArrowInvalid: Column 2 named input_ids expected length 3 but got length 6". fixed() runs the same
map with remove_columns=dataset.column_names (fix 0). CPU only, no tokenizer download.
"""

REQUIRES = ("datasets", "pyarrow")
FIXES = (0,)


def _dataset():
    from datasets import Dataset

    return Dataset.from_dict({"text": ["a b c d e f", "g h", "i j k l"], "label": [0, 1, 0]})


def _chunk(batch):
    out = {"input_ids": []}
    for text in batch["text"]:
        words = text.split()
        out["input_ids"].extend(words[i:i + 2] for i in range(0, len(words), 2))
    return out


def reproduce():
    _dataset().map(_chunk, batched=True)


def fixed():
    dataset = _dataset()
    chunked = dataset.map(_chunk, batched=True, remove_columns=dataset.column_names)
    assert chunked.num_rows == 6 and chunked.column_names == ["input_ids"], chunked

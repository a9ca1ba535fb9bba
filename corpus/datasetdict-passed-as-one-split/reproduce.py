"""Tokenize a DatasetDict the way trl's SFTTrainer (0.7-0.11) tokenized what it took for one split."""

REQUIRES = ("datasets",)
FIXES = (0,)


def _tokenize(batch):
    return {"input_ids": [[len(p), len(c)] for p, c in zip(batch["prompt"], batch["completion"])]}


def _load():
    from datasets import Dataset, DatasetDict

    rows = {"prompt": ["2+2?", "capital of France?"], "completion": ["4", "Paris"]}
    # what load_dataset("json", data_files="train.jsonl") returns: a DatasetDict with one 'train' split
    return DatasetDict({"train": Dataset.from_dict(rows)})


def reproduce():
    dataset = _load()
    dataset.map(_tokenize, batched=True, remove_columns=dataset.column_names)


def fixed():
    dataset = _load()["train"]  # fix 0: pass one split (load_dataset(..., split="train") gives the same)
    tokenized = dataset.map(_tokenize, batched=True, remove_columns=dataset.column_names)
    assert tokenized.column_names == ["input_ids"]

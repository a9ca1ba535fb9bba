"""The LLM course's MRPC preprocessing with datasets >= 4: a small in-memory DatasetDict (no download) whose
`raw_datasets["train"]["sentence1"]` is a lazy `Column`, passed straight to a fast tokenizer (a WordLevel
PreTrainedTokenizerFast built here). transformers' input check refuses it with "ValueError: text input must be of
type `str` (single example), `list[str]` ...".

fixed() applies fix 0: the same call with `list(...)` around each column, and checks that every pair was tokenized.
With datasets < 4 the column is already a list and there is nothing to reproduce: REQUIRES then names what is missing.
"""


def _datasets_4():
    try:
        from importlib.metadata import version

        return int(version("datasets").split(".")[0]) >= 4
    except Exception:
        return False


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
NEW = "datasets 4_0 or newer, whose column access returns a Column"
REQUIRES = ("tokenizers", "transformers", "datasets") + (() if _datasets_4() else (NEW,))
FIXES = (0,)

ROWS = {"sentence1": ["hello world", "world hello"], "sentence2": ["hello", "world world"], "label": [0, 1]}


def _setup():
    from datasets import Dataset, DatasetDict
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[UNK]": 0, "[PAD]": 1, "hello": 2, "world": 3}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]")
    return DatasetDict({"train": Dataset.from_dict(ROWS)}), tokenizer


def reproduce():
    raw_datasets, tokenizer = _setup()
    tokenizer(raw_datasets["train"]["sentence1"], raw_datasets["train"]["sentence2"], padding=True, truncation=True)
    raise AssertionError("the Column was tokenized without an error")


def fixed():
    raw_datasets, tokenizer = _setup()
    out = tokenizer(list(raw_datasets["train"]["sentence1"]), list(raw_datasets["train"]["sentence2"]),
                    padding=True, truncation=True)
    assert len(out["input_ids"]) == 2 and all(len(ids) > 0 for ids in out["input_ids"]), out["input_ids"]
    return f"{len(out['input_ids'])} sentence pairs tokenized\n"

"""Load an SFT file and a preference (DPO) file as one training set with the real 🤗 datasets loader.

The two files have different columns, so Arrow cannot cast the second one to the schema of the first:
``CastError: Couldn't cast ... because column names don't match`` inside ``DatasetGenerationError``.
The fix finds the two row schemas (fix 0) and writes every row in one format (fix 1).
"""

REQUIRES = ("datasets",)
FIXES = (0, 1)

SFT = [{"instruction": "Translate to French: cat", "input": "", "output": "chat"}]
PREFERENCE = [{"instruction": "Translate to French: dog", "chosen": "chien", "rejected": "chat"}]


def _write_jsonl(path, rows):
    import json

    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _load(folder, files):
    import os

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    return load_dataset("json", data_files=files, cache_dir=os.path.join(folder, "cache"), split="train")


def _schemas(files):
    """Fix 0: the distinct key/type layouts of the rows."""
    import json

    layouts = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                layouts.add(tuple(sorted((k, type(v).__name__) for k, v in row.items())))
    return layouts


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        files = [os.path.join(folder, "sft.jsonl"), os.path.join(folder, "dpo.jsonl")]
        _write_jsonl(files[0], SFT)
        _write_jsonl(files[1], PREFERENCE)
        _load(folder, files)


def fixed():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        files = [os.path.join(folder, "sft.jsonl"), os.path.join(folder, "dpo.jsonl")]
        _write_jsonl(files[0], SFT)
        _write_jsonl(files[1], PREFERENCE)
        assert len(_schemas(files)) == 2  # fix 0 shows the two formats
        # fix 1: one format for every row (the preference rows become SFT rows with the chosen answer)
        converted = [{"instruction": r["instruction"], "input": "", "output": r["chosen"]} for r in PREFERENCE]
        _write_jsonl(files[1], converted)
        assert len(_schemas(files)) == 1
        dataset = _load(folder, files)
        assert dataset.column_names == ["instruction", "input", "output"] and len(dataset) == 2

"""A local dataset folder ``tiny_qa/`` whose data comes from a loading script ``tiny_qa/tiny_qa.py`` (a
GeneratorBasedBuilder, as Hub script datasets are), loaded with the installed ``datasets``:

- datasets >= 4.0 raises the real ``RuntimeError: Dataset scripts are no longer supported, but found tiny_qa.py``;
- datasets 2.16-3.x, with ``trust_remote_code=False`` (what a job without a terminal ends up with), raises the real
  ``ValueError: Loading tiny_qa requires you to execute the dataset script in that repo ...``.

fixed() loads a script-free Parquet copy laid out like the Hub's ``refs/convert/parquet`` branch
(``<config>/<split>/0000.parquet``) with ``data_dir=<config>`` (fix 0); on 2.16-3.x it also runs the script with
``trust_remote_code=True`` (fix 2). Each load runs in a fresh process with its own datasets cache and modules cache
(3.x keeps an imported script there and would not ask again), offline: nothing is downloaded or left behind.
"""

from kbfix.reproduce import failed, release_within, succeeded

DATASETS_4 = release_within("datasets", (4, 0))
# this module is never installed: it stands for "a datasets release that knows loading scripts' opt-in (2.16+)"
REQUIRES = ("datasets", "pyarrow") + (
    () if release_within("datasets", (2, 16)) else ("kbfix_requires_datasets_2_16_or_later",))
FIXES = (0,) if DATASETS_4 else (0, 2)

SCRIPT = '''
import datasets

_ROWS = [("2+2?", "4"), ("capital of France?", "Paris"), ("H2O is?", "water")]


class TinyQa(datasets.GeneratorBasedBuilder):
    VERSION = datasets.Version("1.0.0")

    def _info(self):
        return datasets.DatasetInfo(features=datasets.Features(
            {"question": datasets.Value("string"), "answer": datasets.Value("string")}))

    def _split_generators(self, dl_manager):
        return [datasets.SplitGenerator(name=datasets.Split.TRAIN)]

    def _generate_examples(self):
        for i, (q, a) in enumerate(_ROWS):
            yield i, {"question": q, "answer": a}
'''

# train.py: argv = folder, mode ("plain" | "untrusted" | "trusted" | "parquet")
LOADER = '''
import sys
from datasets import load_dataset

folder, mode = sys.argv[1], sys.argv[2]
if mode == "plain":            # datasets >= 4.0: no trust_remote_code to give
    ds = load_dataset(folder, split="train")
elif mode == "untrusted":      # datasets 2.16-3.x: the opt-in refused
    ds = load_dataset(folder, split="train", trust_remote_code=False)
elif mode == "trusted":        # fix 2 (2.16-3.x): the script read, then allowed
    ds = load_dataset(folder, split="train", trust_remote_code=True)
else:                          # fix 0: the script-free Parquet copy, one folder per config
    ds = load_dataset(folder, data_dir="default", split="train")
assert ds.num_rows == 3 and ds[1]["answer"] == "Paris", ds
print("loaded", ds)
'''

ROWS = {"question": ["2+2?", "capital of France?", "H2O is?"], "answer": ["4", "Paris", "water"]}


def _script_folder(root: str) -> str:
    import os

    folder = os.path.join(root, "tiny_qa")
    os.makedirs(folder)
    with open(os.path.join(folder, "tiny_qa.py"), "w", encoding="utf-8") as f:
        f.write(SCRIPT)
    return folder


def _parquet_copy(root: str) -> str:
    """What the Hub's refs/convert/parquet branch holds for a single-config script dataset."""
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = os.path.join(root, "tiny_qa-parquet")
    os.makedirs(os.path.join(folder, "default", "train"))
    pq.write_table(pa.table(ROWS), os.path.join(folder, "default", "train", "0000.parquet"))
    return folder


def _load(root: str, folder: str, mode: str) -> tuple[int, str]:
    from kbfix.reproduce import run_script

    env = {"HF_DATASETS_CACHE": f"{root}/cache-{mode}", "HF_MODULES_CACHE": f"{root}/modules-{mode}",
           "HF_HOME": f"{root}/hf-home", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    return run_script(LOADER, args=(folder, mode), env=env, unset=("HF_DATASETS_TRUST_REMOTE_CODE",), timeout=180)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        return failed(_load(root, _script_folder(root), "plain" if DATASETS_4 else "untrusted"))


def fixed():
    import tempfile

    outputs = []
    with tempfile.TemporaryDirectory() as root:
        outputs.append(succeeded(_load(root, _parquet_copy(root), "parquet"), "num_rows: 3"))  # fix 0
        if not DATASETS_4:
            outputs.append(succeeded(_load(root, _script_folder(root), "trusted"), "num_rows: 3"))  # fix 2
    return "".join(outputs)

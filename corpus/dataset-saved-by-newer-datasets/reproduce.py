"""A dataset written the way datasets >= 4.0 writes it, read by an older datasets release. Two real failures of the
old release's own code, on local files only (no network):

- a Parquet file whose schema metadata (the ``huggingface`` key: ``{"info": {"features": ...}}``) names a list column
  ``{"_type": "List", "feature": {...}}``, as ``Dataset.to_parquet`` / ``push_to_hub`` of datasets >= 4.0 write it, read
  with ``load_dataset("parquet", data_files=...)`` (verl, LeRobot, lm-eval's Hub datasets);
- a ``save_to_disk`` folder whose ``dataset_info.json`` names the same feature, read with ``load_from_disk``.

datasets 3.4-3.6 raise ``ValueError: Feature type 'List' not found. Available feature types: [...]``; datasets <= 3.3
look ``List`` up among the module's globals, find ``typing.List`` and raise ``TypeError: must be called with a dataclass
type or instance`` from ``dataclasses.fields`` in ``generate_from_dict``.

The files are written with pyarrow and json here (the bytes datasets 4.x writes: checked against datasets 5.2.0's own
``to_parquet`` and ``save_to_disk``), so the writer needs no datasets 4. The reader must be an old release; the
environment's datasets is 5.2.0, so this needs such an old datasets importable IN FRONT of the environment, as an
overlay that a datasets >= 4 sits behind (how it was checked, with 3.6.0 and 2.18.0):

    pip install --no-deps --target /tmp/ds36 "datasets==3.6.0"
    PYTHONPATH=/tmp/ds36:$PWD python -m pytest tests/test_reproducers.py -k dataset-saved-by-newer-datasets

Elsewhere (the first datasets found is >= 4.0, or no datasets >= 4.0 sits behind it) the test skips it: REQUIRES then
names what is missing. reproduce() loads both with the old release in a fresh interpreter and returns what it printed.
fixed() applies fix 0, the upgrade: the same loads with the overlay taken off the path, so the environment's
datasets >= 4.0 reads the same files.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("datasets", (4, 0))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "a datasets release older than 4_0 as a PYTHONPATH overlay in front of datasets 4_0 or newer, see the docstring"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('datasets==3.6.0',)
REQUIRES = ("datasets", "pyarrow") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import json, os, sys, tempfile, traceback
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
import pyarrow as pa, pyarrow.parquet as pq

# what datasets >= 4.0 writes for {"text": Value("string"), "ids": List(Value("int64"))}
features = {"text": {"dtype": "string", "_type": "Value"},
            "ids": {"feature": {"dtype": "int64", "_type": "Value"}, "_type": "List"}}
table = pa.table({"text": ["a", "b"], "ids": [[1, 2], [3]]})
table = table.replace_schema_metadata({"huggingface": json.dumps({"info": {"features": features}})})
os.makedirs(os.path.join(work, "data"))
parquet = os.path.join(work, "data", "train.parquet")
pq.write_table(table, parquet)
saved = os.path.join(work, "saved")
os.makedirs(saved)
with pa.OSFile(os.path.join(saved, "data-00000-of-00001.arrow"), "wb") as sink:
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
with open(os.path.join(saved, "dataset_info.json"), "w") as f:
    json.dump({"citation": "", "description": "", "features": features, "homepage": "", "license": ""}, f, indent=2)
with open(os.path.join(saved, "state.json"), "w") as f:
    json.dump({"_data_files": [{"filename": "data-00000-of-00001.arrow"}], "_fingerprint": "0123456789abcdef",
               "_format_columns": None, "_format_kwargs": {}, "_format_type": None, "_output_all_columns": False,
               "_split": None}, f, indent=2)

import datasets
from datasets import load_dataset, load_from_disk
print("datasets", datasets.__version__, flush=True)
failed = 0
for name, load in (("parquet", lambda: load_dataset("parquet", data_files=parquet, cache_dir=os.path.join(work, "c"))["train"]),
                   ("load_from_disk", lambda: load_from_disk(saved))):
    try:
        ds = load()
        print(name, "loaded:", ds.num_rows, "rows", ds.features, flush=True)
    except Exception:
        failed += 1
        traceback.print_exc()
        sys.stderr.flush()
sys.exit(failed)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code == 2, "the old datasets read both; it must be older than 4.0\n" + output
    assert "Feature type 'List' not found" in output or "must be called with a dataclass type or instance" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "parquet loaded: 2 rows", "load_from_disk loaded: 2 rows")

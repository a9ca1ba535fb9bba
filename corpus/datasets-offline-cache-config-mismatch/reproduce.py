"""An online run prepares a dataset into the datasets cache; a later offline run (HF_HUB_OFFLINE=1, as on a compute
node) makes the same kind of call and the cache builder cannot find the config id it computes (datasets#7551,
datasets#6837: the data_files are resolved differently without the online lookup, so their hash differs).

No network is needed to reach the real code path: the "online" run loads a local dataset folder ``squadx`` (the
cache is filled under ``<cache_dir>/squadx/default-<hash>/...`` exactly as for a Hub dataset without a namespace);
the "offline" run is started from another directory, where ``squadx`` is not a local path, so ``load_dataset`` falls
back to ``datasets/packaged_modules/cache/cache.py`` and ``_find_hash_in_cache`` raises
``ValueError: Couldn't find cache for squadx for config 'default-<hash>'`` with the available configs listed.

fixed() applies fix 1: the online run also ``save_to_disk``s the prepared dataset and the offline run reads it with
``load_from_disk`` (no Hub lookup, no config id).
"""

import os
import tempfile

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("datasets",)
FIXES = (1,)

SCRIPT = r'''
import os, sys
step, root = sys.argv[1], sys.argv[2]
from datasets import load_dataset, load_from_disk
cache = os.path.join(root, "cache")
if step == "online":
    os.chdir(os.path.join(root, "online"))
    ds = load_dataset("squadx", data_files={"train": "data/train.jsonl"}, cache_dir=cache)
    ds.save_to_disk(os.path.join(root, "saved"))
    print("online prepared", ds["train"].num_rows, "rows", flush=True)
elif step == "offline":
    os.chdir(os.path.join(root, "node"))
    ds = load_dataset("squadx", data_files={"train": "data/train.jsonl"}, cache_dir=cache)
    print("offline loaded", ds["train"].num_rows, "rows", flush=True)
else:                                       # fix 1
    os.chdir(os.path.join(root, "node"))
    ds = load_from_disk(os.path.join(root, "saved"))
    print("offline load_from_disk", ds["train"].num_rows, "rows", flush=True)
'''


def _setup(root):
    os.makedirs(os.path.join(root, "online", "squadx", "data"))
    os.makedirs(os.path.join(root, "node"))
    with open(os.path.join(root, "online", "squadx", "data", "train.jsonl"), "w") as f:
        for i in range(3):
            f.write('{"text": "row %d"}\n' % i)


def _run(step, root):
    env = {"HF_HOME": os.path.join(root, "hf"), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return run_script(SCRIPT, args=(step, root), env=env, timeout=240)


def reproduce():
    with tempfile.TemporaryDirectory() as root:
        _setup(root)
        succeeded(_run("online", root), "online prepared 3 rows")
        out = failed(_run("offline", root))
    assert "Couldn't find cache for squadx" in out, out
    return out


def fixed():
    with tempfile.TemporaryDirectory() as root:
        _setup(root)
        succeeded(_run("online", root), "online prepared 3 rows")
        return succeeded(_run("fixed", root), "offline load_from_disk 3 rows")

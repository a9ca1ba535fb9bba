"""A dataset folder whose README.md metadata (``dataset_info.splits``) records a split size the data files no longer
have: the files were re-exported, filtered or only partly downloaded after the card was written, which is what the
Hub datasets in the reported threads had (StampyAI/alignment-research-dataset#74, datasets#215, lm-eval#1311). The
real ``load_dataset`` of the installed datasets release builds the split, compares it with the recorded one in
``verify_splits`` (datasets/utils/info_utils.py) and raises ``NonMatchingSplitsSizesError``; a second config whose
card records a ``validation`` split that no data file provides raises ``ExpectedMoreSplitsError`` (older releases:
``ExpectedMoreSplits``) from the same function. Local files only, nothing downloads.

fixed() applies fix 0 (``verification_mode="no_checks"``: the same calls load the 3 rows that exist) and fix 2 (the
owner's side: the stale split sizes taken out of the card, after which the default checks pass).
"""

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("datasets",)
FIXES = (0, 2)

SCRIPT = r'''
import os, sys, tempfile, traceback
mode, card = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
repo = os.path.join(work, "my-sft-data")
os.makedirs(os.path.join(repo, "data"))
with open(os.path.join(repo, "data", "train.jsonl"), "w") as f:
    for i in range(3):
        f.write('{"text": "example %d"}\n' % i)
splits = {
    "stale": "  splits:\n  - name: train\n    num_bytes: 100\n    num_examples: 5\n",
    "stale-more": "  splits:\n  - name: train\n    num_bytes: 100\n    num_examples: 3\n  - name: validation\n    num_bytes: 10\n    num_examples: 1\n",
    "fixed": "",
}[card]
with open(os.path.join(repo, "README.md"), "w") as f:
    f.write("---\ndataset_info:\n  features:\n  - name: text\n    dtype: string\n" + splits +
            "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.jsonl\n---\n")
from datasets import load_dataset
kwargs = {"verification_mode": mode} if mode != "default" else {}
try:
    ds = load_dataset(repo, split="train", cache_dir=os.path.join(work, "cache"), **kwargs)
except Exception:
    traceback.print_exc()
    sys.exit(1)
print("loaded", ds.num_rows, "rows", flush=True)
'''


def _run(mode, card):
    return run_script(SCRIPT, args=(mode, card), timeout=240)


def reproduce():
    sizes = failed(_run("default", "stale"))
    assert "NonMatchingSplitsSizesError" in sizes, sizes
    more = failed(_run("default", "stale-more"))
    assert "ExpectedMoreSplits" in more, more
    return sizes + more


def fixed():
    out = succeeded(_run("no_checks", "stale"), "loaded 3 rows")            # fix 0
    out += succeeded(_run("no_checks", "stale-more"), "loaded 3 rows")
    out += succeeded(_run("default", "fixed"), "loaded 3 rows")             # fix 2: sizes removed from the card
    return out

"""A relative ``data_files`` path that does not exist from the working directory: the installed datasets resolves
``missing/train.json`` against the current directory, finds nothing and raises
``FileNotFoundError: Unable to find '<cwd>/missing/train.json'`` (datasets >= 2.14; ``... at <cwd>`` before). Runs in a
fresh interpreter inside a temporary folder, offline (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE, HF_HOME in the folder).

fixed() applies fix 0: the same load with the path of the file that really exists, given absolute (the data written
in another folder, as a repository's data/ folder is when the script runs from elsewhere).
"""

from kbfix.reproduce import run_script, succeeded

REQUIRES = ("datasets",)
FIXES = (0,)

SCRIPT = r'''
import json, os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
project = os.path.join(work, "project")                 # where the data really is: project/data/train.json
os.makedirs(os.path.join(project, "data"))
with open(os.path.join(project, "data", "train.json"), "w") as f:
    for i in range(3):
        f.write(json.dumps({"instruction": f"q{i}", "output": f"a{i}"}) + "\n")
run_dir = os.path.join(work, "elsewhere")               # the job starts in another folder
os.makedirs(run_dir)
os.chdir(run_dir)
from datasets import load_dataset
if sys.argv[1] == "fixed":                              # fix 0: the path that exists, absolute
    data_files = os.path.join(project, "data", "train.json")
else:
    data_files = "missing/train.json"
ds = load_dataset("json", data_files=data_files, cache_dir=os.path.join(work, "cache"))
print("loaded:", ds["train"].num_rows, "rows", flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), timeout=300)


def reproduce():
    code, output = _run("reproduce")
    assert code != 0, "the missing path loaded\n" + output
    assert "Unable to find" in output, output
    return output


def fixed():
    return succeeded(_run("fixed"), "loaded: 3 rows")

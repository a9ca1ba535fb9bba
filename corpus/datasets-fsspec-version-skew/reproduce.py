"""datasets older than the installed fsspec: a datasets release that predates fsspec 2023.10 / 2023.12 under a current
fsspec. Two real failures of datasets' own code, on local files only (no network):

- ``load_dataset("json", data_files=<file>)``: datasets <= 2.14.5 builds the cache, then ``DatasetBuilder.as_dataset``
  takes fsspec's ``LocalFileSystem`` (protocol ``("file", "local")`` since fsspec 2023.10) for a remote one and raises
  ``NotImplementedError: Loading a dataset cached in a LocalFileSystem is not supported.``
- ``load_dataset(<folder>)``: datasets <= 2.17.1 resolves its default split patterns (``**[-._ 0-9/]train[-._ 0-9]*``)
  through fsspec's ``glob``, which since 2023.12 raises ``ValueError: Invalid pattern: '**' can only be an entire path
  component``.

It needs such an old datasets importable IN FRONT of the environment, as an overlay that a current datasets sits
behind (that is how it was checked, see NOTES.md of the entry):

    pip install --no-deps --target /tmp/ds-skew "datasets==2.14.5" "huggingface_hub==0.17.3" "pyarrow==14.0.2" \
        "numpy==1.26.4" "dill==0.3.7" "multiprocess==0.70.15" "pandas==2.1.4" pytz tzdata
    pip install --target /tmp/ds-skew-aio aiohttp   # then copy aiohttp and its compiled deps into /tmp/ds-skew
    PYTHONPATH=/tmp/ds-skew:$PWD python -m pytest tests/test_reproducers.py -k datasets-fsspec-version-skew

Elsewhere (the datasets found is >= 2.18, fsspec is older than 2023.12, or the old datasets is not an overlay) the
test skips it: REQUIRES then names what is missing. reproduce() runs both loads in a fresh interpreter with the old
release and returns what it printed. fixed() applies fix 0, the upgrade: the same loads with the overlay taken off
the path, so the environment's current datasets (>= 2.18) meets the same fsspec.
"""

import importlib.util
import os

from kbfix.reproduce import succeeded


def _release(package):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return tuple(int(part) for part in version(package).split(".")[:3] if part.isdigit())
    except (PackageNotFoundError, ValueError):
        return None


def _overlay():
    """The sys.path folder holding the old datasets, when it is not the folder fsspec (the environment) lives in."""
    datasets, fsspec = importlib.util.find_spec("datasets"), importlib.util.find_spec("fsspec")
    if datasets is None or fsspec is None or not datasets.origin or not fsspec.origin:
        return None
    here = os.path.realpath(os.path.dirname(os.path.dirname(datasets.origin)))
    env = os.path.realpath(os.path.dirname(os.path.dirname(fsspec.origin)))
    return here if here != env else None


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "an old datasets release (2_14_5 or older) as a PYTHONPATH overlay, see the docstring"
NEW_FSSPEC = "fsspec 2023_12 or newer"
_ds, _fs = _release("datasets"), _release("fsspec")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('datasets==2.14.5', 'huggingface_hub==0.17.3', 'pyarrow==14.0.2', 'numpy==1.26.4', 'dill==0.3.7', 'multiprocess==0.70.15', 'pandas==2.1.4', 'pytz', 'tzdata')
OVERLAY_WITH_DEPS = ('aiohttp',)
REQUIRES = ("datasets", "fsspec") + (
    () if _ds is not None and _ds < (2, 14, 6) and _overlay() else (OLD,)) + (
    () if _fs is not None and _fs >= (2023, 12) else (NEW_FSSPEC,))
FIXES = (0,)

SCRIPT = '''
import os, sys, tempfile, traceback
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
import datasets, fsspec
from datasets import load_dataset
print("datasets", datasets.__version__, "fsspec", fsspec.__version__, flush=True)
folder = os.path.join(work, "data")
os.makedirs(folder)
for split in ("train", "test"):
    with open(os.path.join(folder, split + ".jsonl"), "w") as f:
        f.write('{"text": "a"}\\n{"text": "b"}\\n')
failed = 0
for name, kwargs in (("json data_files", dict(path="json", data_files=os.path.join(folder, "train.jsonl"))),
                     ("folder", dict(path=folder))):
    try:
        ds = load_dataset(cache_dir=os.path.join(work, "cache-" + name.split()[0]), **kwargs)
        print(name, "loaded:", {k: v.num_rows for k, v in ds.items()}, flush=True)
    except Exception:
        failed += 1
        traceback.print_exc()
        sys.stderr.flush()
sys.exit(failed)
'''


def _run(without=None):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code == 2, "the old datasets loaded the files; it needs one older than the installed fsspec\n" + output
    assert "LocalFileSystem is not supported" in output and "can only be an entire path component" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "json data_files loaded: {'train': 2}", "folder loaded:")

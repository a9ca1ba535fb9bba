"""A Python built without liblzma: the interpreter's installed tree has ``lzma.py`` but no ``_lzma*.so``.

We cannot rebuild Python in a test, so the missing build is reproduced on disk. A build whose ``./configure``
found no liblzma headers (``pyenv install`` / ``make altinstall`` without ``liblzma-dev``) installs the same
tree as a complete build, minus one file: ``lib/python3.X/lib-dynload/_lzma.cpython-*.so``. This reproducer
lays out such a tree in a temporary folder: every entry of this interpreter's prefix (``sys.base_prefix``) is a
symlink to the real one, except the directories leading to ``lib-dynload``, and ``lib-dynload`` itself links
every compiled extension but ``_lzma``. A fresh process of this same interpreter is then started with
``PYTHONHOME`` pointing at that tree (the venv's site-packages still come from its ``pyvenv.cfg``): the
standard library, ``_bz2``, ``_sqlite3``, ``_ctypes``, ``_ssl``... are all there, and only ``_lzma`` is missing,
exactly as on the half-built interpreter. Nothing is patched in ``sys.modules`` or ``sys.path``.

The training script loads a real ``train.jsonl.xz`` (written beforehand with a complete Python) with
``datasets.load_dataset("json", ...)``. On the trimmed interpreter ``import datasets`` already fails inside the
standard library: ``datasets/utils/extract.py`` runs ``import lzma``, ``lzma.py`` runs ``from _lzma import *``,
and Python raises ``ModuleNotFoundError: No module named '_lzma'``, the traceback users paste.

fixed() stands for the interpreter rebuilt after installing ``liblzma-dev`` (fix 0, ``pyenv install --force``):
the same tree with ``_lzma*.so`` present, the same script, which now imports datasets and decompresses the
``.xz`` file, and fix 0's check (``python -c "import lzma"`` prints nothing). The rebuild itself (apt-get,
pyenv) is not run here, so fix 0 keeps ``verification = "check"`` and FIXES is empty.
"""

import os
import sys
import tempfile
from pathlib import Path

from kbfix.reproduce import succeeded

REQUIRES = ("datasets", "_lzma")
FIXES = ()

SCRIPT = '''
import sys
from datasets import load_dataset                      # datasets/utils/extract.py: import lzma

ds = load_dataset("json", data_files=sys.argv[1], split="train", cache_dir=sys.argv[2])
print("loaded", ds.num_rows, "rows from", sys.argv[1].rsplit("/", 1)[-1], "first:", ds[0])
'''

CHECK = 'import sys, lzma\nprint("import lzma ok in", sys.base_prefix)\n'


def _dynload():
    import _lzma

    where = getattr(_lzma, "__file__", None)
    if not where:
        raise RuntimeError("_lzma is built into this interpreter: no extension file to leave out")
    return Path(where).resolve().parent


def _install_tree(folder, without):
    """A copy of this interpreter's installed tree made of symlinks, with lib-dynload's ``without`` left out."""
    prefix = Path(sys.base_prefix).resolve()
    dynload = _dynload()
    chain = dynload.relative_to(prefix)   # e.g. lib/python3.11/lib-dynload
    home = Path(folder) / "python-home"
    src, dst = prefix, home
    for part in (*chain.parts, None):
        dst.mkdir()
        for child in src.iterdir():
            if child.name == part:
                continue
            if part is None and without and child.name.startswith(without + "."):
                continue  # the extension ./configure skipped
            (dst / child.name).symlink_to(child)
        if part is not None:
            src, dst = src / part, dst / part
    return str(home)


def _run(script, with_lzma, args=(), folder=None):
    from kbfix.reproduce import run_script

    home = _install_tree(folder, None if with_lzma else "_lzma")
    env = {"PYTHONHOME": home, "HF_HOME": os.path.join(folder, "hf"), "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1"}
    return run_script(script, args=args, env=env, unset=("PYTHONPATH",), timeout=180)


def _data(folder):
    import json
    import lzma

    path = os.path.join(folder, "train.jsonl.xz")
    with lzma.open(path, "wt", encoding="utf-8") as f:
        for i in range(4):
            f.write(json.dumps({"text": f"example {i}", "label": i % 2}) + "\n")
    return path


def _train(with_lzma):
    with tempfile.TemporaryDirectory() as folder:
        return _run(SCRIPT, with_lzma, args=(_data(folder), os.path.join(folder, "cache")), folder=folder)


def reproduce():
    code, output = _train(with_lzma=False)
    assert code != 0 and "No module named '_lzma'" in output, output
    return output


def fixed():
    output = succeeded(_train(with_lzma=True), "loaded 4 rows")   # the rebuilt interpreter: same tree, _lzma*.so present
    with tempfile.TemporaryDirectory() as folder:
        check = succeeded(_run(CHECK, True, folder=folder), "import lzma ok")   # fix 0's check: python -c "import lzma"
    return output + check

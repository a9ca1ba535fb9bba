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

fixed() applies fix 1, a prebuilt Python that ships every extension: the distribution's own interpreter
(``/usr/bin/python3.X`` of the same minor version, here Debian's, an installation apart from the half-built one)
gets a new virtual environment, the same script runs in it and decompresses the ``.xz`` file, and fix 1's check
(``import sys, lzma, bz2, sqlite3, ctypes, ssl; print(sys.executable)``) prints the new environment's interpreter.
``pip install -r requirements.txt`` would download; the new environment is given this environment's installed
packages instead (a ``.pth`` file running ``site.addsitedir`` on its site-packages: the same cp3X wheels). Where no
such distribution interpreter exists the test is skipped (REQUIRES). Fix 0 (install liblzma-dev, rebuild the same
version with pyenv) needs the CPython source and minutes of compiling: it keeps ``verification = "check"``.
"""

import os
import sys
import tempfile
from pathlib import Path

from kbfix.reproduce import succeeded


def _distribution_python():
    """The distribution's prebuilt interpreter of this minor version (Debian/Ubuntu/Fedora ``/usr/bin/python3.X``),
    when it is an installation apart from the one this environment was made from; else None."""
    candidate = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not candidate.exists():
        return None
    own = Path(sys.base_prefix).resolve()
    return None if own in candidate.resolve().parents else str(candidate)


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
DISTRIBUTION = "the distribution's prebuilt python3 of this minor version apart from this environment's interpreter"
REQUIRES = ("datasets", "_lzma") + (() if _distribution_python() else (DISTRIBUTION,))
FIXES = (1,)

SCRIPT = '''
import sys
from datasets import load_dataset                      # datasets/utils/extract.py: import lzma

ds = load_dataset("json", data_files=sys.argv[1], split="train", cache_dir=sys.argv[2])
print("loaded", ds.num_rows, "rows from", sys.argv[1].rsplit("/", 1)[-1], "first:", ds[0])
'''

FIX_1_CHECK = 'import sys, lzma, bz2, sqlite3, ctypes, ssl\nprint(sys.executable, "on", sys.base_prefix, sys.version)\n'


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


def _run(script, args=(), folder=None):
    from kbfix.reproduce import run_script

    home = _install_tree(folder, "_lzma")   # the half-built interpreter
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


def _train():
    with tempfile.TemporaryDirectory() as folder:
        return _run(SCRIPT, args=(_data(folder), os.path.join(folder, "cache")), folder=folder)


def reproduce():
    code, output = _train()
    assert code != 0 and "No module named '_lzma'" in output, output
    return output


def _prebuilt_venv(folder):
    """Fix 1: ``python3.X -m venv`` on the distribution's interpreter, with this environment's packages as its
    requirements (nothing downloads). Returns the new environment's python."""
    import subprocess
    import sysconfig

    venv = os.path.join(folder, "venv")
    subprocess.run([_distribution_python(), "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = os.path.join(venv, "bin", "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    packages = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    with open(os.path.join(site, "requirements.pth"), "w", encoding="utf-8") as f:
        f.write("import site; " + "; ".join(f"site.addsitedir({p!r})" for p in packages) + "\n")
    return python


def _run_prebuilt(script, folder, args=()):
    import subprocess

    path = os.path.join(folder, "train.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(script)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(HF_HOME=os.path.join(folder, "hf"), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", OMP_NUM_THREADS="1")
    done = subprocess.run([_prebuilt_venv(folder), path, *args], capture_output=True, text=True, cwd=folder,
                          timeout=180, env=env)
    return done.returncode, done.stdout + done.stderr


def fixed():
    with tempfile.TemporaryDirectory() as folder:   # fix 1: the same training on a prebuilt interpreter's venv
        output = succeeded(_run_prebuilt(SCRIPT, folder, (_data(folder), os.path.join(folder, "cache"))),
                           "loaded 4 rows")
    with tempfile.TemporaryDirectory() as folder:   # fix 1's check: prints the new environment's interpreter
        check = succeeded(_run_prebuilt(FIX_1_CHECK, folder), os.path.join(folder, "venv", "bin", "python"))
    return output + check

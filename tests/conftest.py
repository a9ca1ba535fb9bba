import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Each test session builds its own index cache: tests never read or write ~/.cache.

    The cache is filled once here, before any test runs: a measured command (``run_measured``) then
    costs what every run but a fresh install's first one costs, whichever test happens to run first.
    The first run's corpus parse is timed by ``scripts/bench.py``, not by a test.
    """
    cache = tmp_path_factory.mktemp("kbfix-cache")
    old = os.environ.get("KBFIX_CACHE_DIR")
    os.environ["KBFIX_CACHE_DIR"] = str(cache)
    import kbfix

    kbfix.diagnose("ValueError: warm the cache")
    yield cache
    if old is None:
        os.environ.pop("KBFIX_CACHE_DIR", None)
    else:
        os.environ["KBFIX_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def engine():
    from kbfix.engine import get_engine

    return get_engine()


def run_kbfix(*args, input=None, env=None, timeout=120):
    """Run the real command line in a subprocess; returns CompletedProcess with bytes."""
    import subprocess

    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "kbfix", *args], input=input, capture_output=True,
                          env=full_env, timeout=timeout, cwd=ROOT)


class Measured:
    """A finished kbfix process: exit code, output, wall seconds and peak resident memory (MB)."""

    def __init__(self, returncode, stdout, stderr, seconds, peak_mb):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.seconds, self.peak_mb = seconds, peak_mb

    def within(self, seconds=2.0, mb=500) -> bool:
        return self.seconds < seconds and self.peak_mb < mb

    def __repr__(self) -> str:
        return (f"exit {self.returncode} in {self.seconds:.2f} s, peak {self.peak_mb:.0f} MB; "
                f"stderr: {self.stderr[-600:]!r}")


# Runs in a small Python of its own: a child of pytest itself would count pytest's memory as its
# peak (Linux carries the parent's high-water mark into a vfork'ed child across exec).
_MEASURE = """
import os, subprocess, sys, threading, time
out, err, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
with open(out, "wb") as o, open(err, "wb") as e:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kbfix", *sys.argv[4:]], stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
print(os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_maxrss)
"""


def run_measured(*args, timeout=60, env=None) -> Measured:
    """Run the real command line and measure it: the process's own wall time and peak RSS (wait4).

    A run past ``timeout`` is killed (and then fails any bound a test checks).
    """
    import subprocess
    import tempfile

    full_env = dict(os.environ, **(env or {}))
    with tempfile.TemporaryDirectory() as folder:
        out, err = os.path.join(folder, "out"), os.path.join(folder, "err")
        proc = subprocess.run([sys.executable, "-c", _MEASURE, out, err, str(timeout), *args], capture_output=True,
                              text=True, cwd=ROOT, env=full_env, timeout=timeout + 30, check=True)
        code, seconds, peak_kb = proc.stdout.split()
        with open(out, "rb") as o, open(err, "rb") as e:
            return Measured(int(code), o.read(), e.read(), float(seconds), int(peak_kb) / 1024)

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Each test session builds its own index cache: tests never read or write ~/.cache."""
    cache = tmp_path_factory.mktemp("kbfix-cache")
    old = os.environ.get("KBFIX_CACHE_DIR")
    os.environ["KBFIX_CACHE_DIR"] = str(cache)
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

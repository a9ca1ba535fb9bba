"""The real `pip check` against the installed transformers, with a package on the path whose requirement
it does not meet (installed next to it, as `pip install tool` without resolving the rest would)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REQUIRES = ("pip", "transformers")
FIXES = (1,)


def _pip_check(requirement: str) -> str:
    site = Path(tempfile.mkdtemp())
    info = site / "oldtool-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: oldtool\nVersion: 0.1\nRequires-Dist: {requirement}\n")
    env = dict(os.environ, PYTHONPATH=str(site), PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, env=env, timeout=120)
    return done.stdout + done.stderr


def reproduce():
    return _pip_check("transformers<4.46")  # "oldtool 0.1 has requirement transformers<4.46, but you have transformers ..."


def fixed():
    # fix 1 applied to the tool's side: the release it requires is the installed one
    from importlib.metadata import version

    out = _pip_check(f"transformers=={version('transformers')}")
    assert "oldtool" not in out, out
    return out

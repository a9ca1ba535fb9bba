"""Run an entry's ``reproduce.py``: trigger the real error, then check that the fix makes it go away.

Used by ``tests/test_reproducers.py`` and ``scripts/verify.py``. A reproducer is data kept beside its
entry (``corpus/<id>/reproduce.py``), so it is loaded from its path like any other corpus file.
"""

from __future__ import annotations

import importlib.util
import io
import runpy
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Outcome:
    entry_id: str
    missing: tuple[str, ...]  # modules in REQUIRES that are not installed
    error_text: str  # what the user would see: the traceback, or the returned output
    raised: bool
    fixed_error: str  # traceback from fixed(), empty when it ran clean
    fixed_text: str  # what fixed() returned or printed
    fixes: tuple[int, ...]
    requires: tuple[str, ...] = ()  # the modules the reproducer needs (its REQUIRES)


def requirements(path: Path) -> tuple[str, ...]:
    namespace = runpy.run_path(str(path), run_name="kbfix_reproducer_probe")
    return tuple(namespace.get("REQUIRES", ()))


def missing_requirements(path: Path) -> tuple[str, ...]:
    return tuple(m for m in requirements(path) if importlib.util.find_spec(m) is None)


def _call(func) -> tuple[bool, str, str]:
    """Run ``func``; return (raised, traceback text, returned/printed text)."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, redirect_stdout(out), redirect_stderr(out):
        warnings.simplefilter("always")
        try:
            result = func()
        except BaseException as exc:  # noqa: BLE001 - the error is the product here
            if isinstance(exc, KeyboardInterrupt):
                raise
            return True, traceback.format_exc(), out.getvalue()
    shown = [warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught]
    text = "".join(shown) + out.getvalue() + (result if isinstance(result, str) else "")
    return False, "", text


def run(entry_dir: Path) -> Outcome:
    path = entry_dir / "reproduce.py"
    entry_id = entry_dir.name
    requires = requirements(path)
    missing = tuple(m for m in requires if importlib.util.find_spec(m) is None)
    if missing:
        return Outcome(entry_id, missing, "", False, "", "", (), requires)
    namespace = runpy.run_path(str(path), run_name=f"kbfix_reproducer_{entry_id.replace('-', '_')}")
    raised, tb, text = _call(namespace["reproduce"])
    fixed_raised, fixed_tb, fixed_text = _call(namespace["fixed"])
    return Outcome(
        entry_id,
        (),
        tb if raised else text,
        raised,
        fixed_tb if fixed_raised else "",
        fixed_text,
        tuple(namespace.get("FIXES", (0,))),
        requires,
    )

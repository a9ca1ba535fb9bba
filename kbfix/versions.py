"""Installed package versions against an entry's affected range and the versions its fixes were
verified with (``corpus/<id>/verified.json``, written by ``scripts/verify.py``). Reads package
metadata only; never imports the packages."""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

from kbfix.model import Entry, Fix

DIST_RE = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+?)-(?P<version>[0-9][^-]*?)\.dist-info$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@lru_cache(maxsize=1)
def _distributions() -> dict[str, str]:
    """Installed distributions by canonical name, read from ``*.dist-info`` folder names.

    The same folders importlib.metadata reads, without the ~30 ms its import costs on the pipe path.
    """
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            match = DIST_RE.match(name)
            if match:
                found.setdefault(_canonical(match["name"]), match["version"])
    return found


def installed(package: str) -> str | None:
    return _distributions().get(_canonical(package))


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:2])


def fix_verification(entry: Entry, index: int, fix: Fix) -> dict:
    """How fix ``index`` of ``entry`` was verified: kind, outcome and the versions used."""
    record = next((f for f in entry.verified.get("fixes", []) if f.get("index") == index), {})
    data = {"kind": fix.verification, "passed": record.get("passed"), "versions": dict(record.get("versions", {}))}
    if fix.check:
        data["check"] = fix.check
    if record.get("date"):
        data["date"] = record["date"]
    return data


def warnings_for(entry: Entry) -> list[str]:
    """Warn when installed versions fall outside the entry's affected range or its verified versions."""
    out: list[str] = []
    if entry.affected:
        from packaging.specifiers import SpecifierSet

        for package, spec in entry.affected.items():
            version = installed(package)
            if version and version not in SpecifierSet(spec, prereleases=True):
                out.append(f"installed {package} {version} is outside the affected range {spec}; "
                           "the cause may be another one")
    verified = {}
    for record in entry.verified.get("fixes", []):
        if record.get("kind") == "reproducer" and record.get("passed"):
            verified.update(record.get("versions", {}))
    for package, version in sorted(verified.items()):
        mine = installed(package)
        if mine and _minor(mine) != _minor(version):
            out.append(f"fixes were verified with {package} {version}; you have {mine}")
    return out

"""Installed package versions against what an answer relies on: the entry's ``affected`` range, and the
APIs its fixes use (a fix's ``uses``, checked against the API history, :mod:`kbfix.apihistory`).

A warning means something: the installed release lies outside the range the entry is about, or lacks an
API a fix relies on. Nothing is said when versions merely differ from those a reproducer ran with
(``verified.json`` records them; ``fix_verification`` shows them). Reads package metadata only and
never imports the packages; the API history loads only for an entry whose fixes declare ``uses``.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from kbfix.model import Entry, Fix, Text

HISTORY_DATA = Path(__file__).resolve().parent / "data" / "apihistory"  # kbfix.apihistory.DATA, without its import
DIST_RE = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+?)-(?P<version>[0-9][^-]*?)\.dist-info$")
# "transformers:transformers.TrainingArguments(eval_strategy)": a library, a module / name / callable, and
# optionally a parameter the fix passes
USE_RE = re.compile(r"^(?P<library>[A-Za-z][\w.\-]*):(?P<api>[A-Za-z_][\w.]*)(?:\((?P<param>\w+)\))?$")


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


def fix_verification(entry: Entry, index: int, fix: Fix) -> dict:
    """How fix ``index`` of ``entry`` was verified: kind, outcome and the versions used."""
    record = next((f for f in entry.verified.get("fixes", []) if f.get("index") == index), {})
    data = {"kind": fix.verification, "passed": record.get("passed"), "versions": dict(record.get("versions", {}))}
    if fix.check:
        data["check"] = fix.check
    if record.get("date"):
        data["date"] = record["date"]
    return data


def api_releases(use: str):
    """The releases (a :class:`kbfix.apihistory.VersionSet`) that offer what a fix ``uses``: a parameter of
    a callable, a callable, a name of a module, or a module. None when the text is malformed.

    Answers are kept in the cache per API history build: a library's history takes tens of milliseconds
    to read (transformers' most), more than the rest of a diagnosis, for the same few answers."""
    match = USE_RE.match(use)
    if match is None:
        return None
    from kbfix.versionset import VersionSet

    table = _known_uses()
    row = table.get(use)
    if row is None:
        found = _history_releases(match)
        row = table[use] = (found.library, found.releases, tuple(sorted(found.indices)), found.covered)
        _store_uses(table)
    library, releases, indices, covered = row
    return VersionSet(library, tuple(releases), frozenset(indices), covered)


def _history_releases(match: re.Match[str]):
    from kbfix import apihistory as ah

    library, api, param = match["library"], match["api"], match["param"]
    if param:
        return ah.param_releases(library, api, param)
    found = ah.function_releases(library, api)
    module, _, name = api.rpartition(".")
    if module:
        found = found | ah.symbol_releases(library, module, name)
    return found | ah.module_releases(library, api)


USES_CACHE_VERSION = 1
_uses: dict[str, tuple] | None = None


def _uses_target():
    """The cache file of answers for this build of the API history (its manifest's checksum names it)."""
    from kbfix import cache

    try:
        stamp = cache.checksum((HISTORY_DATA / "manifest.json").read_bytes())
    except OSError:
        stamp = "none"
    return cache.path("uses", USES_CACHE_VERSION, stamp)


def _known_uses() -> dict[str, tuple]:
    global _uses
    if _uses is None:
        from kbfix import cache

        _uses = cache.load_data(_uses_target(), lambda data: dict(data["uses"])) or {}
    return _uses


def _store_uses(table: dict[str, tuple]) -> None:
    from kbfix import cache

    cache.store_data(_uses_target(), {"uses": table})


def use_problem(use: str) -> str | None:
    """Why a fix's ``uses`` entry cannot be checked (for ``kbfix corpus check``), or None."""
    if USE_RE.match(use) is None:
        return (f"{use!r} must read 'library:module.Name', 'library:module.callable' or 'library:module.callable(param)', "
                "e.g. 'transformers:transformers.TrainingArguments(eval_strategy)'")
    releases = api_releases(use)
    if not releases.covered:
        return f"{use!r}: {use.split(':')[0]} is not in the API history (kbfix/data/apihistory)"
    if not releases:
        return f"{use!r}: no covered release has it (check the spelling against the library's source)"
    return None


def _user_release(package: str, captures: Mapping[str, str] | None) -> tuple[str | None, Text]:
    """The release of ``package`` to judge: the one the pasted log shows (a version fact's capture), else
    the one installed here."""
    if captures and captures.get("installed") and captures.get("library") and \
            _canonical(captures["library"]) == _canonical(package) and captures["installed"] != "unknown" and \
            "environment kbfix runs in" not in captures.get("installed_source", ""):
        return captures["installed"], Text("shown in the paste", "粘贴内容中显示")
    return installed(package), Text("installed here", "本机已安装")


def warnings_for(entry: Entry, captures: Mapping[str, str] | None = None) -> list[Text]:
    """Warn when the installed release lies outside the entry's ``affected`` range, or lacks an API that
    one of its fixes ``uses`` (the release the paste shows, when a version fact read one)."""
    out: list[Text] = []
    if entry.affected:
        from packaging.specifiers import SpecifierSet

        for package, spec in entry.affected.items():
            version = installed(package)
            if version and version not in SpecifierSet(spec, prereleases=True):
                out.append(Text(f"installed {package} {version} is outside the affected range {spec}; the cause may be "
                                "another one", f"已安装的 {package} {version} 不在受影响的版本范围 {spec} 内；原因可能是别的"))
    for number, fix in enumerate(entry.fixes, 1):
        for use in fix.uses:
            match = USE_RE.match(use)
            if match is None:
                continue
            version, where = _user_release(match["library"], captures)
            releases = api_releases(use) if version else None
            if releases is None or releases.contains(version) is not False:
                continue  # not installed, not covered, or the release has it
            api = match["api"] + (f"({match['param']}=...)" if match["param"] else "")
            out.append(Text(f"fix {number} uses {api}, which {match['library']} has in {releases}; {match['library']} "
                            f"{version} ({where.en}) does not: upgrade it first or use the other fixes",
                            f"修复 {number} 用到 {api}，{match['library']} 中有它的版本：{releases}；{match['library']} "
                            f"{version}（{where.zh}）没有：请先升级，或使用其他修复"))
    return out

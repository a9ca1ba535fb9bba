"""The API history of the fine-tuning stack: which releases of transformers, peft, trl, ... offer a
module, a name, a function parameter, and what each release imports from the others.

Read from ``kbfix/data/apihistory/`` (built by ``scripts/build_api_history.py`` from the released
packages' sources). Importing this module loads nothing; a library's file is read on its first query
and kept. A query about a library that is not covered never raises: it answers with a VersionSet
whose ``covered`` is False (it prints "not covered"), or None, or an empty tuple.

    >>> from kbfix import apihistory as ah
    >>> str(ah.symbol_releases("transformers", "transformers", "AdamW"))
    >>> ah.param_releases("trl", "trl.SFTTrainer.__init__", "processing_class").first()
    >>> ah.positional_params("peft", "peft.get_peft_model", "0.13.2")

Library names are distribution names (``sentence-transformers``, ``orbax-checkpoint``); import names
(``sentence_transformers``, ``orbax.checkpoint``, ``swift``) are accepted too.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from kbfix.apihistory.signature import Param, Signature
from kbfix.versionset import VersionSet

__all__ = ["DATA", "Place", "Param", "Signature", "VersionSet", "libraries", "manifest", "covered", "releases",
           "library_of", "module_releases", "symbol_releases", "find_symbol", "function_releases", "signature",
           "param_releases", "positional_params", "imports_from", "loaded"]

DATA = Path(__file__).resolve().parent.parent / "data" / "apihistory"

_lock = threading.Lock()
_manifest: dict | None = None
_histories: dict = {}  # library -> LibraryHistory
_names: dict[str, str | None] = {}  # a name as asked -> the covered library (or None)


@dataclass(frozen=True)
class Place:
    """Where a name lives: a public module of a covered library, and in which releases."""

    library: str
    module: str
    releases: VersionSet

    def __str__(self) -> str:
        return f"{self.library}: {self.module} ({self.releases})"


def manifest() -> dict:
    """The manifest: libraries with their releases, build date, tool versions, sizes."""
    global _manifest
    if _manifest is None:
        path = DATA / "manifest.json"
        _manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"libraries": {}}
    return _manifest


def libraries() -> tuple[str, ...]:
    return tuple(manifest()["libraries"])


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _library(name: str) -> str | None:
    """The covered library a distribution or import name stands for."""
    if name in _names:
        return _names[name]
    wanted = _canonical(name)
    found = None
    for lib, info in manifest()["libraries"].items():
        if _canonical(lib) == wanted or any(_canonical(root) == wanted for root in info.get("roots", ())):
            found = lib
            break
    _names[name] = found
    return found


def covered(lib: str) -> bool:
    return _library(lib) is not None


def library_of(module: str) -> str | None:
    """The covered library whose import root holds a dotted module or name (``peft.tuners.lora`` -> peft)."""
    best: tuple[int, str] | None = None
    for lib, info in manifest()["libraries"].items():
        for root in info.get("roots", ()):
            if (module == root or module.startswith(root + ".")) and (best is None or len(root) > best[0]):
                best = (len(root), lib)
    return best[1] if best else None


def loaded() -> tuple[str, ...]:
    """Libraries whose data is in memory (for tests and diagnostics of the laziness)."""
    return tuple(_histories)


def _history(lib: str):
    name = _library(lib)
    if name is None:
        return None
    history = _histories.get(name)
    if history is None:
        from kbfix.apihistory.history import LibraryHistory

        with _lock:
            history = _histories.get(name)
            if history is None:
                history = LibraryHistory(name, (DATA / f"{name}.txt.gz").read_bytes())
                _histories[name] = history
    return history


def _set(lib: str, history, indices) -> VersionSet:
    if history is None:
        return VersionSet.not_covered(lib)
    return VersionSet(history.name, history.releases, frozenset(indices))


def releases(lib: str) -> tuple[str, ...]:
    """The covered releases of a library, ascending (empty when not covered). Reads only the manifest."""
    name = _library(lib)
    return tuple(manifest()["libraries"][name]["releases"]) if name else ()


def module_releases(lib: str, module: str) -> VersionSet:
    """Releases in which a public module exists."""
    history = _history(lib)
    return _set(lib, history, history.module_indices(module) if history else ())


def symbol_releases(lib: str, module: str, name: str) -> VersionSet:
    """Releases in which public ``module`` offers ``name`` (a def, class, assignment, re-export, or
    ``Class.method`` for a method defined on the class itself)."""
    history = _history(lib)
    return _set(lib, history, history.symbol_indices(module, name) if history else ())


def find_symbol(name: str, libs: tuple[str, ...] | None = None) -> list[Place]:
    """Every public module of the covered libraries (all, or ``libs``) that offers ``name`` in some
    release; shortest module paths first within a library. Loads every library asked about."""
    places: list[Place] = []
    for lib in libs or libraries():
        history = _history(lib)
        if history is None:
            continue
        modules = sorted(history.modules_with(name), key=lambda m: (m.count("."), m))
        places.extend(Place(history.name, m, _set(lib, history, history.symbol_indices(m, name))) for m in modules)
    return places


def function_releases(lib: str, qualname: str) -> VersionSet:
    """Releases in which a function or method exists (``pkg.mod.func``, ``pkg.Class.method``, or
    ``pkg.mod:Class.method``; re-exports are followed, a class name means its ``__init__``)."""
    history = _history(lib)
    return _set(lib, history, history.resolve_callable(qualname) if history else ())


def signature(lib: str, qualname: str, version: str) -> Signature | None:
    """The parameters of a function in one release (the nearest covered release of its minor series);
    None when the library, release or function is not covered."""
    history = _history(lib)
    if history is None:
        return None
    index = VersionSet(history.name, history.releases, frozenset()).resolve(version)
    sid = history.resolve_callable(qualname).get(index) if index is not None else None
    return Signature.parse(history.sigs[sid]) if sid is not None else None


def param_releases(lib: str, qualname: str, param: str) -> VersionSet:
    """Releases in which a function has a parameter named ``param`` (``*args``/``**kwargs`` by their
    names). Compare with ``function_releases`` to tell "no such parameter" from "no such function"."""
    history = _history(lib)
    if history is None:
        return VersionSet.not_covered(lib)
    found = history.resolve_callable(qualname)
    with_param = {sid for sid in set(found.values()) if param in Signature.parse(history.sigs[sid]).names}
    return _set(lib, history, (i for i, sid in found.items() if sid in with_param))


def positional_params(lib: str, qualname: str, version: str) -> tuple[str, ...] | None:
    """The parameters that can be passed by position (``self`` included for methods), or None."""
    found = signature(lib, qualname, version)
    return found.positional if found else None


def imports_from(lib: str, version: str, other_lib: str) -> frozenset[tuple[str, str]] | None:
    """(module, name) pairs that release ``version`` of ``lib`` imports from ``other_lib`` anywhere in its
    code (name "" for ``import module``); None when either library or the release is not covered."""
    history = _history(lib)
    other = _library(other_lib)
    if history is None or other is None:
        return None
    index = VersionSet(history.name, history.releases, frozenset()).resolve(version)
    if index is None:
        return None
    return frozenset((module, name) for module, name, indices in history.imports(other) if index in indices)

"""Compiled regular expressions kept between runs of the ``kbfix`` command.

Python compiles a regular expression in Python code (``re._parser`` and ``re._compiler``) and keeps
the result only for the life of the process: a cold ``kbfix diagnose`` spent about a tenth of its
time compiling the same ~150 static patterns of the parser, the lexical stage and the standard
library on every run. What the compiler hands to the C engine (``_sre.compile``: the pattern, its
flags, the opcode list, the group names) is plain data; this module keeps it in a signed cache file
and, at the next start, puts the rebuilt pattern objects into ``re``'s own cache before anything
compiles, so ``re.compile`` finds them there and the call sites stay as they are.

Safe by construction: the file is one of kbfix's signed cache files (only what this user's kbfix
wrote is read), it is keyed by the Python build (``_sre.MAGIC``, the implementation's cache tag),
the C engine validates the opcodes it is given, and any mismatch in ``re``'s internals (another
Python) turns both functions into no-ops: patterns are then compiled as usual.
"""

from __future__ import annotations

import re
import sys

VERSION = 2
MOST = 400  # re keeps 512 patterns; a run never needs more than a few hundred of its own

_loaded: set[tuple[str, int]] = set()
warmed = False  # warm() ran in this process (the command started): the CLI then keeps what a diagnosis compiles


def _target():
    import _sre

    from kbfix import cache

    return cache.path("regex", VERSION, sys.version, sys.implementation.cache_tag, str(_sre.MAGIC))


def _store() -> dict | None:
    """``re``'s own cache, when it has the shape this module knows (a dict keyed by
    ``(type, pattern, flags)``); None otherwise."""
    store = getattr(re, "_cache", None)
    return store if isinstance(store, dict) else None


def warm() -> int:
    """Put the patterns kept by earlier runs into ``re``'s cache; how many were put."""
    global warmed
    warmed = True
    store = _store()
    if store is None:
        return 0
    try:
        import _sre

        from kbfix import cache

        kept = cache.load_data(_target(), lambda data: data["patterns"])
        if not kept:
            return 0
        for pattern, flags, args in kept:
            key = (str, pattern, flags)
            if key not in store:
                store[key] = _sre.compile(*args)
            _loaded.add((pattern, flags))
    except (ImportError, TypeError, ValueError, RuntimeError, OverflowError, KeyError):
        return 0  # another Python's internals or a damaged entry: compile as usual
    return len(_loaded)


def _compile_args(pattern: str, flags: int) -> tuple | None:
    """What ``re``'s compiler passes to ``_sre.compile`` for this pattern: recorded by compiling it
    once more with a recorder in place of ``_sre``."""
    compiler = getattr(re, "_compiler", None) or sys.modules.get("sre_compile")
    if compiler is None or not hasattr(compiler, "_sre"):
        return None
    real = compiler._sre
    seen: list[tuple] = []

    class Recorder:
        def __getattr__(self, name):
            return getattr(real, name)

        @staticmethod
        def compile(*args):
            seen.append(args)
            return real.compile(*args)

    compiler._sre = Recorder()
    try:
        compiler.compile(pattern, flags)
    finally:
        compiler._sre = real
    return seen[0] if len(seen) == 1 else None


def keep() -> bool:
    """Add the patterns this run compiled to the kept file; True when it was written. A run compiles
    the same static patterns as the last (the parser's, the lexical stage's, the standard
    library's), so after the first runs there is nothing new and nothing is written; past
    :data:`MOST` the oldest are dropped (patterns of an older kbfix)."""
    store = _store()
    if store is None:
        return False
    new = [(key[1], key[2]) for key in list(store)
           if len(key) == 3 and key[0] is str and (key[1], key[2]) not in _loaded]
    if not new:
        return False
    try:
        from kbfix import cache

        target = _target()
        kept = cache.load_data(target, lambda data: data["patterns"]) or []
        have = {(pattern, flags) for pattern, flags, _ in kept}
        for pattern, flags in new:
            if (pattern, flags) not in have:
                args = _compile_args(pattern, flags)
                if args is not None:
                    kept.append((pattern, flags, args))
        kept = kept[-MOST:]
        written = cache.store_data(target, {"patterns": kept}, keep=2)
        # and what writing compiled (the cache folder's file-name patterns): kept by the next run that
        # needs them, not by a second call in this one
        _loaded.update((pattern, flags) for pattern, flags, _ in kept)
        _loaded.update((key[1], key[2]) for key in list(store) if len(key) == 3)
        return written
    except (ImportError, TypeError, ValueError, RuntimeError, re.error):
        return False

"""Diagnose uncaught exceptions in the running process: ``kbfix.install()`` and ``python -m kbfix run``.

The normal traceback is printed first, then kbfix's diagnosis, to stderr. The live objects in the
failing frames (models, trainers, optimizers) are inspected and their findings join the traceback
as evidence. The exception itself is never swallowed and the exit status never changes: a failure
inside kbfix prints one line and leaves the rest as Python would have it.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from types import TracebackType
from typing import TextIO

from kbfix.model import Finding

MAX_OBJECTS = 6
_MARK = "__kbfix_hook__"


def install(*, lang: str = "en") -> None:
    """Set ``sys.excepthook`` to print the usual traceback, then the diagnosis. Idempotent."""
    previous = sys.excepthook
    if getattr(previous, _MARK, False):
        return

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        previous(exc_type, exc, tb)
        if isinstance(exc, Exception):
            report_exception(exc, file=sys.stderr, lang=lang)

    setattr(hook, _MARK, True)
    hook.previous = previous  # type: ignore[attr-defined]
    sys.excepthook = hook


def uninstall() -> None:
    """Put back the hook that ``install`` replaced."""
    if getattr(sys.excepthook, _MARK, False):
        sys.excepthook = sys.excepthook.previous  # type: ignore[attr-defined]


def run_script(path: str | os.PathLike, argv: list[str] | tuple[str, ...] = (), *, lang: str = "en") -> int:
    """Run a script as ``__main__`` like ``python script.py argv...``; return its exit status.

    An uncaught exception prints its traceback (without kbfix's own frames) and the diagnosis, and
    the status is 1, as with Python. ``SystemExit`` gives its code; ``KeyboardInterrupt`` propagates.
    """
    path = os.fspath(path)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported like Python does, then diagnosed
        exc.__traceback__ = _user_frames(exc.__traceback__)
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        if isinstance(exc, Exception):
            report_exception(exc, file=sys.stderr, lang=lang)
        return 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0


def report_exception(exc: BaseException, *, file: TextIO, lang: str = "en",
                     tb: TracebackType | None = None) -> None:
    """Print the diagnosis of ``exc`` (its traceback, or ``tb``) to ``file``.

    Any failure of kbfix itself becomes one printed line.
    """
    try:
        text = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
        rendered = diagnosis(text, live_findings(exc), lang=lang)
    except Exception as failure:  # noqa: BLE001 - the user's own exception matters more
        print(f"\nkbfix: could not diagnose this error ({type(failure).__name__}: {failure})", file=file)
        return
    print("\n" + rendered, file=file)


def diagnosis(text: str, findings: tuple[Finding, ...], *, lang: str = "en") -> str:
    """Rank the traceback with the findings as evidence and render the report as text."""
    import kbfix
    from kbfix.render import render_text

    report = kbfix.diagnose(text, findings=findings)
    return render_text(report, lang)


def live_findings(exc: BaseException) -> tuple[Finding, ...]:
    from kbfix.introspect import inspect_object

    findings: list[Finding] = []
    for obj in live_objects(exc):
        findings += inspect_object(obj)
    return tuple(findings)


def live_objects(exc: BaseException) -> list[object]:
    """Models, trainers and optimizers in the locals of the failing frames (and chained exceptions).

    Modules that are part of another module found are dropped, so a failing ``Linear.forward``
    does not stand in for the model that holds it. Where a Trainer is found, it alone is inspected
    (its model and optimizer): a frozen reference model beside it is no evidence. An object whose
    ``__init__`` is among the failing frames was never finished (``get_peft_model`` raising inside
    ``PeftModel.__init__``): it is left out, and what it was wrapping is inspected instead.
    """
    from kbfix.probes import of_object
    from kbfix.artifacts.target import LIVE, MODULE, TRAINER

    frames = list(_frames(exc))
    unfinished = {id(obj) for obj in map(_constructing, frames) if obj is not None}
    found: dict[int, object] = {}
    for frame in frames:
        for value in list(frame.f_locals.values()):
            if id(value) not in found and id(value) not in unfinished and of_object(value).kind in LIVE:
                found[id(value)] = value
    objects = list(found.values())
    trainers = [o for o in objects if of_object(o).kind == TRAINER]
    if trainers:
        return trainers[:MAX_OBJECTS]
    modules = [o for o in objects if of_object(o).kind == MODULE]
    inner = {id(sub) for m in modules for sub in list(m.modules())[1:]}
    return [o for o in objects if id(o) not in inner][:MAX_OBJECTS]


def _constructing(frame) -> object | None:
    """The object an ``__init__`` frame is building (its first argument), else None."""
    code = frame.f_code
    if code.co_name != "__init__" or code.co_argcount < 1:
        return None
    return frame.f_locals.get(code.co_varnames[0])


def _frames(exc: BaseException):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            yield frame
        exc = exc.__cause__ or exc.__context__


def _user_frames(tb: TracebackType | None) -> TracebackType | None:
    """Drop the leading frames of kbfix and runpy, as ``python script.py`` shows none of its own."""
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in ("runpy", __name__):
        tb = tb.tb_next
    return tb


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1

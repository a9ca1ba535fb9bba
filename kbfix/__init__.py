"""kbfix: offline diagnosis of fine-tuning errors.

    >>> import kbfix
    >>> report = kbfix.diagnose(traceback_text)
    >>> report.verdict, report.best.entry.id if report.best else None
"""

from __future__ import annotations

import os
import sys


def _started_as_the_command() -> bool:
    """True in ``kbfix ...`` and ``python -m kbfix ...`` (never when a program imports kbfix)."""
    argv = getattr(sys, "orig_argv", sys.argv)
    if "-m" in argv[:-1] and argv[argv.index("-m") + 1] == "kbfix":
        return True
    return bool(sys.argv) and os.path.basename(sys.argv[0]).removesuffix(".exe") == "kbfix"


if _started_as_the_command():
    import signal

    def _interrupted(signum, frame):  # Ctrl-C while the command starts: quiet, status 130
        os.write(2, b"\nkbfix: interrupted\n")
        os._exit(130)

    signal.signal(signal.SIGINT, _interrupted)

    from kbfix import regexcache

    regexcache.warm()  # before anything compiles: the patterns earlier diagnoses compiled (kbfix.cli keeps them)

from typing import TYPE_CHECKING  # noqa: E402


if TYPE_CHECKING:  # the public types load on first use: ``import kbfix`` stays instant
    from kbfix.model import Finding, Match, Report

__version__ = "0.1.0"
__all__ = ["diagnose", "inspect", "install", "load_ipython_extension", "Report", "Match", "Finding", "__version__"]


def diagnose(text: str | None = None, *, findings: tuple[Finding, ...] = (), top: int = 3,
             model: str | None = None, corpus: str | None = None, truncated: bool = False, engine=None,
             redact: bool = True) -> Report:
    """Diagnose a traceback or log ``text``; ``findings`` (from :func:`inspect`) add evidence.

    With ``text=None`` the findings alone are ranked (``kbfix inspect``). ``truncated`` says the text
    is an excerpt of a longer log. ``engine``: an already loaded :class:`kbfix.engine.Engine`
    (the terminal UI loads one in a worker); by default the process's shared one. ``redact``: replace
    tokens, keys and e-mail addresses in the text before anything reads it (:mod:`kbfix.redact`), so
    no output carries them. This is the one way in: the CLI, the TUI, the excepthook and the IPython
    extension call it.
    """
    from kbfix import traceback
    from kbfix.engine import get_engine

    engine = engine or get_engine(corpus, model)
    if text is not None:
        text = _valid_unicode(text)
    if text is not None and redact:
        from kbfix.redact import redact as scrub

        text = scrub(text)
    log = traceback.parse(text, truncated=truncated) if text is not None else None
    return engine.diagnose(log, findings=tuple(findings), top=top)


def _valid_unicode(text: str) -> str:
    """Lone surrogates (``os.fsdecode`` of bad bytes) become U+FFFD: nothing downstream chokes on them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def inspect(*things) -> tuple[Finding, ...]:
    """Findings for checkpoints, adapters, training configs (paths) or live objects (models, trainers)."""
    from kbfix.introspect import inspect as _inspect

    return _inspect(*things)


def install(*, lang: str = "en") -> None:
    """Diagnose uncaught exceptions in this process (after the normal traceback, on stderr)."""
    from kbfix.hook import install as _install

    _install(lang=lang)


def __getattr__(name: str):
    if name in ("Finding", "Match", "Report"):
        from kbfix import model

        return getattr(model, name)
    raise AttributeError(f"module 'kbfix' has no attribute {name!r}")


def load_ipython_extension(ipython) -> None:
    """``%load_ext kbfix``: diagnose the failing cell in Jupyter / Colab / IPython."""
    from kbfix.ipython import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython) -> None:
    from kbfix.ipython import unload_ipython_extension as _unload

    _unload(ipython)

"""kbfix: offline diagnosis of fine-tuning errors.

    >>> import kbfix
    >>> report = kbfix.diagnose(traceback_text)
    >>> report.verdict, report.best.entry.id if report.best else None
"""

from __future__ import annotations

from kbfix.model import Finding, Match, Report

__version__ = "0.1.0"
__all__ = ["diagnose", "inspect", "install", "load_ipython_extension", "Report", "Match", "Finding", "__version__"]


def diagnose(text: str | None = None, *, findings: tuple[Finding, ...] = (), top: int = 3,
             model: str | None = None, corpus: str | None = None, truncated: bool = False, engine=None) -> Report:
    """Diagnose a traceback or log ``text``; ``findings`` (from :func:`inspect`) add evidence.

    With ``text=None`` the findings alone are ranked (``kbfix inspect``). ``truncated`` says the text
    is an excerpt of a longer log. ``engine``: an already loaded :class:`kbfix.engine.Engine`
    (the terminal UI loads one in a worker); by default the process's shared one.
    This is the one way in: the CLI, the TUI, the excepthook and the IPython extension call it.
    """
    from kbfix import traceback
    from kbfix.engine import get_engine

    engine = engine or get_engine(corpus, model)
    log = traceback.parse(text, truncated=truncated) if text is not None else None
    return engine.diagnose(log, findings=tuple(findings), top=top)


def inspect(*things) -> tuple[Finding, ...]:
    """Findings for checkpoints, adapters, training configs (paths) or live objects (models, trainers)."""
    from kbfix.introspect import inspect as _inspect

    return _inspect(*things)


def install(*, lang: str = "en") -> None:
    """Diagnose uncaught exceptions in this process (after the normal traceback, on stderr)."""
    from kbfix.hook import install as _install

    _install(lang=lang)


def load_ipython_extension(ipython) -> None:
    """``%load_ext kbfix``: diagnose the failing cell in Jupyter / Colab / IPython."""
    from kbfix.ipython import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython) -> None:
    from kbfix.ipython import unload_ipython_extension as _unload

    _unload(ipython)

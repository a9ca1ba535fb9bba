"""kbfix: offline diagnosis of fine-tuning errors.

    >>> import kbfix
    >>> report = kbfix.diagnose(traceback_text)
    >>> report.verdict, report.best.entry.id if report.best else None
"""

from __future__ import annotations

from kbfix.model import Finding, Match, Report

__version__ = "0.1.0"
__all__ = ["diagnose", "inspect", "install", "Report", "Match", "Finding", "__version__"]


def diagnose(text: str, *, top: int = 3, findings: tuple[Finding, ...] = (), model: str | None = None,
             corpus: str | None = None) -> Report:
    """Diagnose a traceback or log text. ``findings`` (from :func:`inspect`) add evidence."""
    from kbfix import traceback
    from kbfix.engine import get_engine

    engine = get_engine(corpus, model)
    return engine.diagnose_log(traceback.parse(text), top=top, findings=tuple(findings))

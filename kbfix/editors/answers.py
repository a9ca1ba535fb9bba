"""What the editor and agent integrations answer, as JSON-ready dicts; no SDK imported here.

``kbfix mcp`` exposes each function as a tool and ``kbfix lsp`` draws on the same ones, so an
agent, an editor and ``kbfix --json`` see the same report. Every answer carries, for each entry it
names, the ``confidence``, the ``evidence`` and the ``fixes`` with their ``applicability``. Nothing
here runs a fix: commands are text for a person (or an agent asking its person) to review.
"""

from __future__ import annotations

import copy
import io
import os
import threading
from pathlib import Path
from typing import Any

from kbfix.model import Lang

LANGS = ("en", "zh")
_lock = threading.Lock()


class AnswerError(ValueError):
    """The request cannot be answered as given (a missing file, an unknown entry); the message says why."""


def _base():
    from kbfix.engine import get_engine

    with _lock:
        return get_engine()


def engine():
    """An engine that answers as a fresh ``kbfix`` process does: signatures and BM25 first, the dense
    index consulted only when no signature decides (a warm engine that had loaded it would also add
    it where the CLI does not, and its report would differ from ``--json``). The loaded parts are
    shared; the dense index is loaded once, ahead by :func:`warm` or on first need."""
    from kbfix.engine import Engine

    base = _base()
    scorer = copy.copy(base.scorer)
    scorer.dense = None
    return Engine(base.corpus, scorer, _dense, base.status())


def _dense():
    base = _base()
    with _lock:
        if base.scorer.dense is None:
            base.load_dense()
    index, encoder = base.scorer.dense
    return index, encoder, None


def warm(dense: bool = True) -> None:
    """Load the engine (and the dense index) now, so the first question is answered warm."""
    _base()
    if dense:
        _dense()


def _lang(lang: str | None) -> Lang:
    if lang in (None, ""):
        return "en"
    if lang not in LANGS:
        raise AnswerError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang  # type: ignore[return-value]


def _path(path: str, *, base: str | os.PathLike | None = None) -> Path:
    resolved = Path(os.path.expanduser(path))
    if not resolved.is_absolute():
        resolved = Path(base or os.getcwd()) / resolved
    return resolved


def read_log(text: str | None = None, path: str | None = None, *, base=None, on_lines=None):
    """The log's excerpt (as the CLI keeps it: error blocks and the tail), from ``text`` or a file."""
    from kbfix.reader import InputError, check_text, read_stream

    if (text is None) == (path is None):
        raise AnswerError("give the log either as text or as a path to a log file, not both")
    if path is not None:
        file = _path(path, base=base)
        if not file.exists():
            raise AnswerError(f"{path}: no such file")
        if file.is_dir():
            raise AnswerError(f"{path}: is a directory; give a log file (or use inspect_artifacts for checkpoints)")
        with open(file, "rb") as handle:
            excerpt = read_stream(handle, on_lines=on_lines)
    else:
        excerpt = read_stream(io.BytesIO(text.encode("utf-8", errors="replace")), on_lines=on_lines)
    try:
        return check_text(excerpt), excerpt
    except InputError as exc:
        raise AnswerError(str(exc)) from None


def _findings(paths: list[str] | tuple[str, ...], base=None):
    from kbfix.introspect import inspect_paths

    resolved = [_path(p, base=base) for p in paths]
    for given, path in zip(paths, resolved):
        if not path.exists():
            raise AnswerError(f"{given}: no such file or directory")
    return tuple(inspect_paths(resolved))


def diagnose(text: str | None = None, path: str | None = None, *, lang: str | None = "en", top: int = 3,
             inspect: list[str] | tuple[str, ...] = (), base=None) -> dict[str, Any]:
    """The report ``kbfix diagnose --json`` prints, for a log given as text or as a file path."""
    import kbfix
    from kbfix.render import report_json

    lang = _lang(lang)
    log, excerpt = read_log(text, path, base=base)
    findings = _findings(inspect, base) if inspect else ()
    report = kbfix.diagnose(log, findings=findings, top=max(1, int(top)), truncated=excerpt.truncated, engine=engine())
    return report_json(report, lang)


def inspect(paths: list[str] | tuple[str, ...], *, lang: str | None = "en", top: int = 3, base=None) -> dict[str, Any]:
    """The report ``kbfix inspect --json`` prints: checkpoints, adapters and training configs, no log."""
    import kbfix
    from kbfix.render import report_json

    lang = _lang(lang)
    if not paths:
        raise AnswerError("give at least one path: a checkpoint or model folder, an adapter, a training config")
    report = kbfix.diagnose(None, findings=_findings(paths, base), top=max(1, int(top)), engine=engine())
    return report_json(report, lang)


def _entry(entry_id: str):
    loaded = _base()
    if entry_id not in loaded.by_id:
        raise AnswerError(f"unknown entry {entry_id!r}; search_corpus lists the ids")
    return loaded.by_id[entry_id]


def _scored(entry, report, lang: Lang) -> dict[str, Any]:
    """The entry as a match of ``report`` (its confidence and evidence there), or unscored."""
    from kbfix.render import entry_json, match_json

    match = next((m for m in report.matches if m.entry.id == entry.id), None) if report is not None else None
    if match is not None:
        return match_json(match, lang)
    data = entry_json(entry, lang)
    data.update({"confidence": 0.0 if report is not None else None, "evidence": [], "captures": {}, "scores": {},
                 "warnings": []})
    return data


def show(entry_id: str, *, lang: str | None = "en", text: str | None = None, path: str | None = None,
         base=None) -> dict[str, Any]:
    """One entry in full; given a log, scored against it (its confidence and evidence for that log)."""
    import kbfix

    lang = _lang(lang)
    entry = _entry(entry_id)
    report = None
    if text is not None or path is not None:
        log, excerpt = read_log(text, path, base=base)
        report = kbfix.diagnose(log, top=len(_base().entries), truncated=excerpt.truncated, engine=engine())
    data = _scored(entry, report, lang)
    data["scored_against"] = "log" if report is not None else None
    if report is None:
        data["note"] = "not scored: give the log (text or path) to get this entry's confidence and evidence for it"
    return data


def search(query: str, *, lang: str | None = "en", limit: int = 5) -> dict[str, Any]:
    """Entries for words (``tag:peft``, ``lib:deepspeed``) or an error described in prose.

    Each result is scored as if the query were the error text: its confidence and evidence are what
    ``diagnose`` would give for that text. Word hits come first, then entries the ranking finds.
    """
    import kbfix
    from kbfix.search import search_any, search_entries

    lang = _lang(lang)
    if not query or not query.strip():
        raise AnswerError("give some words to search for, e.g. 'lora lm_head tied' or 'tag:deepspeed'")
    loaded = engine()
    words = search_entries(loaded.entries, query) or search_any(loaded.entries, query)
    free = " ".join(t for t in query.split() if ":" not in t)
    report = kbfix.diagnose(free, top=len(loaded.entries), engine=loaded) if free else None
    ranked = [m.entry for m in (report.matches if report else ()) if m.confidence >= 0.2]
    chosen = list(dict.fromkeys(e.id for e in words + ranked))
    if report is not None:  # the likeliest first; word hits keep their order among equals
        confidence = {m.entry.id: m.confidence for m in report.matches}
        chosen.sort(key=lambda i: -confidence.get(i, 0.0))
    results = [_scored(loaded.by_id[i], report, lang) for i in chosen[: max(1, int(limit))]]
    return {"query": query, "results": results,
            "total_word_hits": len(words)}


def verify(entry_id: str, paths: list[str] | tuple[str, ...], *, lang: str | None = "en", base=None) -> dict[str, Any]:
    """Re-run the checks tied to ``entry_id`` against the artifacts after a fix: passed or not, and why."""
    import kbfix
    from kbfix.introspect import verify as run_verify
    from kbfix.render import finding_json, plain

    lang = _lang(lang)
    entry = _entry(entry_id)
    if not paths:
        raise AnswerError("give the paths the fix changed: a checkpoint, an adapter, a training config")
    resolved = [_path(p, base=base) for p in paths]
    for given, path in zip(paths, resolved):
        if not path.exists():
            raise AnswerError(f"{given}: no such file or directory")
    result = run_verify(entry_id, resolved)
    still = kbfix.diagnose(None, findings=result.findings, top=len(_base().entries), engine=engine())
    data = _scored(entry, still, lang)
    return {"entry": entry_id, "passed": result.passed,
            "facts": {k: plain(v) for k, v in result.facts.items()},
            "findings": [finding_json(f, lang) for f in result.findings],
            "match": data,
            "meaning": "confidence is how strongly the artifacts still point at this entry after the fix"}


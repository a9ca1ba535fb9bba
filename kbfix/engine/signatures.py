"""Stage 3a: corpus signatures matched against one error and the whole log.

A signature is an exception type, a message regex, frame regexes, a whole-log regex and exclusions
(:class:`kbfix.model.Signature`). ``match`` returns its hits for one candidate error: full hits,
and near misses (``partial``), where the exception and message matched but a condition the author
wrote to exclude look-alikes did not hold. Every corpus regex is compiled once, by ``rx``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from kbfix.model import Entry, Exc, Log, Signature, Trace

NEVER = re.compile(r"(?!)")


@lru_cache(maxsize=None)
def rx(pattern: str) -> re.Pattern[str]:
    """Compile a corpus regex once per process (an invalid one never matches; corpus check flags it)."""
    try:
        return re.compile(pattern, re.M)
    except re.error:
        return NEVER


def required_literals(pattern: str | None) -> tuple[str, ...]:
    """Lowercased literal runs (4+ chars) that every match of ``pattern`` must contain.

    Read from the regex's parse tree: only top-level literal runs (and those of plain groups) count;
    anything under an alternation or a repeat is optional and breaks the run. Used to skip a
    signature cheaply when its words are not in the log.
    """
    if not pattern:
        return ()
    try:
        from re import _constants as c, _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as c  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        tree = parser.parse(pattern, re.M)
    except re.error:
        return ()
    runs: list[str] = []

    def walk(items) -> None:
        current: list[str] = []
        for op, av in items:
            if op is c.LITERAL:
                current.append(chr(av))
                continue
            if current:
                runs.append("".join(current))
                current = []
            if op is c.SUBPATTERN:
                walk(av[-1])
        if current:
            runs.append("".join(current))

    walk(tree)
    return tuple(sorted({r.lower() for r in runs if len(r.strip()) >= 4}))


def signature_literals(sig: Signature) -> tuple[str, ...]:
    return tuple(sorted({lit for p in (sig.exception, sig.message, sig.text) for lit in required_literals(p)}))

@dataclass(frozen=True)
class SignatureHit:
    entry_id: str
    signature: Signature
    captures: dict[str, str]
    lines: tuple[int, ...]
    matched: str
    exc: Exc | None = None
    partial: bool = False  # a near miss: see match_trace


def frame_strings(exc: Exc) -> list[str]:
    return [f"{f.filename.replace(chr(92), '/')}:{f.name}" for f in exc.frames]


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos)


class LogText:
    """The normalized log as signatures see it, searched once per pattern.

    A log with several errors is scored once per error, but a pattern over the whole log (``text``,
    ``unless``) has one answer per log: it is searched once and remembered. ``lower`` is the copy the
    literal prefilter looks in.
    """

    def __init__(self, text: str):
        self.text = text
        self.lower = text.lower()
        self._found: dict[str, re.Match[str] | None] = {}

    def search(self, pattern: str) -> re.Match[str] | None:
        if pattern not in self._found:
            self._found[pattern] = rx(pattern).search(self.text)
        return self._found[pattern]


def _blocked(sig: Signature, log: LogText, message: str = "") -> bool:
    return any(log.search(p) or (message and rx(p).search(message)) for p in sig.unless)


def match(entries: tuple[Entry, ...], trace: Trace | None, log: Log, text: LogText | None = None,
                literals: dict[str, tuple[str, ...]] | None = None) -> list[SignatureHit]:
    """Signature hits for one trace (exception signatures) and the whole log (text-only signatures).

    ``literals`` maps "entry/signature" to the words the signature cannot match without; a signature
    whose words are missing from the lowercased log is skipped uncompiled.

    Hits with ``partial=True`` are near misses: the signature's exception and message (or its text)
    matched, but a condition its author added to exclude look-alikes (frames, text, unless) did not
    hold. That is evidence *against* the entry, which the ranking uses.
    """
    text = text if text is not None else LogText(log.text)
    hits: list[SignatureHit] = []
    for entry in entries:
        for sig in entry.signatures:
            if literals is not None:
                needed = literals.get(f"{entry.id}/{sig.id}")
                if needed and not all(word in text.lower for word in needed):
                    continue
            exception_bound = sig.message is not None or sig.exception is not None or bool(sig.frames)
            if not exception_bound:
                m = text.search(sig.text)
                if m:
                    caps = {k: v for k, v in m.groupdict().items() if v is not None}
                    hits.append(SignatureHit(entry.id, sig, caps, (_line_of(text.text, m.start()),), m.group(0),
                                             partial=_blocked(sig, text)))
                continue
            if trace is not None:
                hit = _match_exception(entry.id, sig, trace, text)
                if hit:
                    hits.append(hit)
    return hits


def _match_exception(entry_id: str, sig: Signature, trace: Trace, text: LogText) -> SignatureHit | None:
    text_m = text.search(sig.text) if sig.text is not None else None
    near: SignatureHit | None = None
    for exc in reversed(trace.exceptions):
        if sig.exception is not None and not (rx(sig.exception).fullmatch(exc.type) or rx(sig.exception).fullmatch(exc.short_type)):
            continue
        msg_m = None
        if sig.message is not None:
            msg_m = rx(sig.message).search(exc.message)
            if msg_m is None:
                continue
        caps: dict[str, str] = {}
        lines = [exc.line]
        for m in (text_m, msg_m):
            if m is not None:
                caps.update({k: v for k, v in m.groupdict().items() if v is not None})
        if text_m is not None:
            lines.append(_line_of(text.text, text_m.start()))
        matched = msg_m.group(0) if msg_m else (text_m.group(0) if text_m else exc.type)
        hit = SignatureHit(entry_id, sig, caps, tuple(sorted(set(lines))), matched, exc)
        frames_ok = not sig.frames or all(any(rx(p).search(f) for f in frame_strings(exc)) for p in sig.frames)
        text_ok = sig.text is None or text_m is not None
        if frames_ok and text_ok and not _blocked(sig, text, exc.message):
            return hit
        if near is None and (sig.frames or sig.text is not None or sig.unless):
            near = replace(hit, partial=True)
    return near

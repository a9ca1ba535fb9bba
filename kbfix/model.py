"""Frozen dataclasses shared by every layer: corpus entries, parsed errors, matches, reports.

Nothing here does I/O or imports a heavy library; the CLI, the TUI and the Python API all hand
these objects around and render them with :mod:`kbfix.render`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
APPLICABILITY = ("safe", "unsafe", "display-only")
VERIFICATION_KINDS = ("reproducer", "check", "none")
HEADINGS: dict[Lang, tuple[str, ...]] = {
    "en": ("What happened", "Why", "Fix", "Fix safety", "Verify", "References"),
    "zh": ("发生了什么", "原因", "修复", "修复安全性", "验证", "参考"),
}


@dataclass(frozen=True)
class Text:
    """A string in English and Chinese."""

    en: str
    zh: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" and self.zh else self.en


@dataclass(frozen=True)
class Signature:
    """One surface form of an entry's error.

    Every condition that is set must hold: ``exception`` matches the exception type (its full dotted
    name or its last part), ``message`` is searched in one exception's message, ``text`` in the whole
    normalized log, every ``frames`` regex matches some frame of that exception's traceback, and no
    ``unless`` regex matches the message or the log. Patterns are kept as source and compiled on
    first use (:func:`kbfix.engine.lexical.rx`), so start-up does not pay for every regex.
    """

    id: str
    exception: str | None = None
    message: str | None = None
    text: str | None = None
    frames: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Fix:
    title: Text
    applicability: str
    commands: tuple[str, ...] = ()
    change: str = ""
    verification: str = "none"
    check: str = ""


@dataclass(frozen=True)
class Entry:
    id: str
    title: Text
    tags: tuple[str, ...]
    signatures: tuple[Signature, ...]
    fixes: tuple[Fix, ...]
    references: tuple[str, ...]
    body: Text
    path: str
    cascade: bool = False
    refines: tuple[str, ...] = ()  # more general entries whose symptom this one explains more precisely
    affected: Mapping[str, str] = field(default_factory=dict)
    placeholders: Mapping[str, str] = field(default_factory=dict)
    verified: Mapping[str, object] = field(default_factory=dict)

    def section(self, heading: str, lang: Lang = "en") -> str:
        """Return the body text under ``heading`` (an English heading name) in ``lang``."""
        index = HEADINGS["en"].index(heading)
        wanted = HEADINGS[lang][index]
        body = self.body.get(lang)
        match = re.search(rf"^## {re.escape(wanted)}\s*$(.*?)(?=^## |\Z)", body, re.M | re.S)
        return match.group(1).strip() if match else ""


@dataclass(frozen=True)
class Case:
    """A labelled text kept beside an entry: ``match``, ``nomatch`` or ``todo``."""

    entry_id: str
    kind: str
    name: str
    text: str


@dataclass(frozen=True)
class Frame:
    filename: str
    lineno: int | None
    name: str
    line: str = ""
    library: str | None = None

    @property
    def is_user(self) -> bool:
        return self.library is None


@dataclass(frozen=True)
class Exc:
    type: str
    message: str
    frames: tuple[Frame, ...] = ()
    line: int = 0  # index of the exception line in the normalized log

    @property
    def short_type(self) -> str:
        return self.type.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Trace:
    """One error as printed: a chain of exceptions, oldest first, from one rank."""

    exceptions: tuple[Exc, ...]
    rank: int | None = None
    start: int = 0
    end: int = 0

    @property
    def final(self) -> Exc:
        return self.exceptions[-1]


@dataclass(frozen=True)
class Log:
    """What the parser made of the input: normalized lines and the traces found in them."""

    lines: tuple[str, ...]
    traces: tuple[Trace, ...]
    truncated: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Evidence:
    kind: str  # signature | lexical | dense | finding | version
    detail: str
    lines: tuple[int, ...] = ()
    tokens: tuple[str, ...] = ()
    captures: Mapping[str, str] = field(default_factory=dict)
    weight: float = 0.0


@dataclass(frozen=True)
class Finding:
    """A fact an introspection probe read off the user's artifacts or live objects."""

    kind: str
    subject: str
    summary: str
    facts: Mapping[str, object] = field(default_factory=dict)
    supports: tuple[str, ...] = ()
    refutes: tuple[str, ...] = ()
    error: str | None = None
    summary_zh: str = ""  # the summary in Chinese; empty: show the English one

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang`` ("en" or "zh"), falling back to English."""
        return self.summary_zh if lang == "zh" and self.summary_zh else self.summary


@dataclass(frozen=True)
class Match:
    entry: Entry
    confidence: float
    evidence: tuple[Evidence, ...]
    captures: Mapping[str, str]
    scores: Mapping[str, float]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    verdict: Literal["match", "no_match"]
    matches: tuple[Match, ...]
    error: Trace | None
    log: Log | None = None
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.verdict == "match" and self.matches else None

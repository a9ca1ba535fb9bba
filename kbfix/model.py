"""Frozen dataclasses shared by every layer: corpus entries, parsed errors, matches, reports.

Nothing here does I/O or imports a heavy library; the CLI, the TUI and the Python API all hand
these objects around and render them with :mod:`kbfix.render`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, Mapping

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


class Vocabulary(str, Enum):
    """A closed set of words that also compares equal to its strings (and serializes as them)."""

    def __str__(self) -> str:
        return self.value


class Applicability(Vocabulary):
    """How safe a fix is to apply (ruff's Applicability), ordered: DISPLAY_ONLY < UNSAFE < SAFE."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"

    @property
    def rank(self) -> int:
        return {"display-only": 0, "unsafe": 1, "safe": 2}[self.value]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Applicability):
            return NotImplemented
        return self.rank < other.rank


class VerificationKind(Vocabulary):
    REPRODUCER = "reproducer"  # a script triggers the real error and shows the fix removes it
    CHECK = "check"            # a person or a probe checks what the fix's ``check`` text says
    NONE = "none"              # advice only


class EvidenceKind(Vocabulary):
    SIGNATURE = "signature"
    LEXICAL = "lexical"
    DENSE = "dense"
    FINDING = "finding"
    VERSION = "version"


class CaseKind(Vocabulary):
    MATCH = "match"      # must rank its entry first, confidently
    NOMATCH = "nomatch"  # a near neighbour that must not
    TODO = "todo"        # a known miss, reported but not failing


class Verdict(Vocabulary):
    MATCH = "match"        # a confident root cause
    NO_MATCH = "no_match"  # an error kbfix cannot name with confidence (candidates are weak)
    NO_ERROR = "no_error"  # no error in the log, or nothing wrong in the artifacts


APPLICABILITY = tuple(a.value for a in Applicability)
VERIFICATION_KINDS = tuple(v.value for v in VerificationKind)
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
    name or its last part; a mismatch or a missing exception line lowers the hit to "loose"),
    ``message`` is searched in one exception's message, ``text`` and every ``requires`` regex in the
    whole normalized log, every ``frames`` regex matches some frame of that exception's traceback,
    every ``facts`` name holds for the key lists in the log (:mod:`kbfix.engine.keys`), every
    ``where`` capture's value fullmatches its regex, and no ``unless`` regex matches the message or
    the log, no ``unless_facts`` name holds. ``sets`` are captures the wording decides by itself; ``informs`` are
    facts whose captures and statements join a hit when they hold. Patterns are
    kept as source and compiled on first use on RE2 (:func:`kbfix.engine.signatures.rx`).
    """

    id: str
    exception: str | None = None
    message: str | None = None
    text: str | None = None
    frames: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    weight: float = 1.0
    requires: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    unless_facts: tuple[str, ...] = ()
    where: Mapping[str, str] = field(default_factory=dict)  # capture name -> regex its value must fullmatch
    # captures a wording fixes by itself ("accelerate>=0.34.2" for an optimizer's missing train()): they
    # fill the fix text when the signature fires, over what other signatures or the API history read
    sets: Mapping[str, str] = field(default_factory=dict)
    # facts that add what they know when they hold (their captures fill the fix text, their statements become
    # evidence) without being needed for the signature to fire: an exact release bound where the history has one
    informs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    """One way to fix an entry's cause: commands or a change, rated safe / unsafe / display-only, and how it was verified."""

    title: Text
    applicability: Applicability
    commands: tuple[str, ...] = ()
    change: str = ""
    verification: VerificationKind = VerificationKind.NONE
    check: str = ""
    # the APIs the fix itself relies on ("transformers:transformers.TrainingArguments(eval_strategy)"): a
    # warning says so when the installed release lacks one (kbfix.versions, the API history)
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One root cause of the corpus: its signatures, fixes and bilingual text (``corpus/<id>/entry.md``)."""

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
    kind: CaseKind
    name: str
    text: str
    source: str = ""  # the thread a real report came from (its "# source:" line)


@dataclass(frozen=True)
class Frame:
    """One frame of a traceback: file, line, function, and the library the file belongs to (None: user code)."""

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
    """One exception as printed: its type, its message and the frames above it."""

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
    """What the parser made of the input: normalized lines, the errors found in them (``traces``),
    and, when no exception line was found, the blocks of lines that read like an error's message
    (``headless``: errors of unknown type)."""

    lines: tuple[str, ...]
    traces: tuple[Trace, ...]
    truncated: bool = False
    headless: tuple[Trace, ...] = ()
    described: bool = False  # a few words and no log: ``headless`` holds the description itself
    # the log prefixes stripped from the lines ("(TaskRunner pid=0)", "ERROR 00-00 00:00:00 [engine.py:0]"), each once,
    # digits as 0: where the error was printed, evidence for a signature's ``requires`` / ``unless``
    prefixes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Evidence:
    """One reason a match was ranked: a signature that fired, a lexical or dense neighbour, a fact."""

    kind: EvidenceKind
    detail: Text | str
    lines: tuple[int, ...] = ()
    tokens: tuple[str, ...] = ()
    captures: Mapping[str, str] = field(default_factory=dict)
    weight: float = 0.0


@dataclass(frozen=True)
class Finding:
    """A fact an introspection probe read off the user's artifacts or live objects."""

    kind: str
    subject: str
    summary: Text  # a plain string is taken as English only
    facts: Mapping[str, object] = field(default_factory=dict)
    supports: tuple[str, ...] = ()
    refutes: tuple[str, ...] = ()
    error: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.summary, str):
            object.__setattr__(self, "summary", Text(self.summary, ""))


@dataclass(frozen=True)
class Match:
    """An entry ranked for the error, with its calibrated confidence and the evidence behind it."""

    entry: Entry
    confidence: float
    evidence: tuple[Evidence, ...]
    captures: Mapping[str, str]
    scores: Mapping[str, float]
    warnings: tuple[Text | str, ...] = ()


@dataclass(frozen=True)
class Report:
    """The answer to one diagnosis: the verdict, the ranked matches and what the answer rests on."""

    verdict: Verdict
    matches: tuple[Match, ...]
    error: Trace | None
    log: Log | None = None
    findings: tuple[Finding, ...] = ()
    notes: tuple[Text | str, ...] = ()
    threshold: float = 0.5  # the confidence a match needs; kbfix.engine.verdict.THRESHOLD sets it
    advice: Text | None = None  # without a confident match (or with no error found): why, and what to paste
    # entries whose own wording matched the error but do not count, the best scored first (as many as matches are
    # shown): (entry id, why), why being
    # "condition" (a condition written for look-alikes held), "cut_short" (the message was cut before it told them
    # apart) or "refined" (a more specific entry explains it)
    ruled_out: tuple[tuple[str, str], ...] = ()

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.verdict == Verdict.MATCH and self.matches else None

"""Why kbfix did not read or check something: exceptions that each become one finding.

Reading a user's artifact can meet a file kbfix will not read (invalid JSON, a zip bomb, a link out
of the artifact), a config it will not build a model from, a regex it cannot match in linear time,
or a check that needs an optional extra. None of these is a failing probe: :func:`kbfix.probes.run`
turns the exception into the finding it describes, and :mod:`kbfix.introspect` says the same
refusal about the same subject once, however many probes met it. Messages never quote file bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kbfix.model import Finding, Text


class Refusal(Exception):
    """Something kbfix refuses or is unable to check; ``finding()`` says so about ``subject``."""

    kind = "check-refused"
    outcome = "not checked"  # the finding's ``error``: short, the same for every refusal of its kind

    def __init__(self, reason: str, *, subject: str | None = None, zh: str = "",
                 facts: Mapping[str, object] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.subject = subject
        self.zh = zh or reason
        self.facts = dict(facts or {})

    def about(self, subject: str) -> "Refusal":
        """The same refusal about ``subject`` (the path as the user gave it)."""
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        Exception.__init__(copy, *self.args)
        copy.subject = subject
        return copy

    def describe(self, subject: str) -> tuple[str, str]:
        """The finding's summary, English and Chinese."""
        return self.reason, self.zh

    def finding(self, subject: str | None = None) -> Finding:
        """The finding about ``self.subject`` (or ``subject``, the target's, when the refusal has none)."""
        about = self.subject or subject or ""
        en, zh = self.describe(about)
        return Finding(self.kind, about, Text(en, zh), self.facts, error=self.outcome)


class Unreadable(Refusal):
    """A file kbfix will not or cannot read; ``subject`` is the file."""

    kind = "file-unreadable"
    outcome = "not read"

    def describe(self, subject: str) -> tuple[str, str]:
        name = Path(subject).name or subject
        return f"{name} not read: {self.reason}", f"未读取 {name}：{self.zh}"


class MissingExtra(Refusal):
    """A check needs an optional part of kbfix that is not installed (``pip install 'kbfix[EXTRA]'``)."""

    kind = "extra-missing"

    def __init__(self, extra: str, what: str, missing: str, *, zh_what: str = ""):
        command = f"pip install 'kbfix[{extra}]'"
        super().__init__(
            f"{what} needs {missing}, which {'are' if ' and ' in missing else 'is'} not installed: {command}",
            zh=f"{zh_what or what}需要 {missing}，但没有安装：{command}",
            facts={"extra": extra, "missing": missing, "install": command})
        self.extra = extra
        self.outcome = f"needs kbfix[{extra}]"


def require(extra: str, what: str, *modules: str, zh_what: str = "") -> None:
    """Raise :class:`MissingExtra` naming ``extra`` unless every module in ``modules`` can be imported."""
    import importlib.util

    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    if absent:
        raise MissingExtra(extra, what, " and ".join(absent), zh_what=zh_what)


def error_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: first line of the message``, cut at ``limit``: library advice further down is not repeated."""
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"

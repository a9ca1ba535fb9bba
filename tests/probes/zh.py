"""Every finding carries a Chinese summary: a recorder for all the findings a test creates."""

from __future__ import annotations

import importlib
import re
import sys
from contextlib import contextmanager

from kbfix.model import Finding

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    return bool(CHINESE.search(text or ""))


def problem(finding: Finding) -> str | None:
    """Why ``finding`` lacks a proper Chinese summary, or None when it has one."""
    if not has_chinese(finding.summary_zh):
        return f"{finding.kind}: no Chinese summary_zh ({finding.summary_zh!r}) for {finding.summary!r}"
    if has_chinese(finding.summary):
        return f"{finding.kind}: the English summary holds Chinese: {finding.summary!r}"
    return None


@contextmanager
def recording(monkeypatch):
    """Yields the list of every Finding created by kbfix.probes.* and kbfix.introspect meanwhile."""
    created: list[Finding] = []

    def make(*args, **kwargs):
        finding = Finding(*args, **kwargs)
        created.append(finding)
        return finding

    for loaded in ("kbfix.introspect", "kbfix.probes"):  # every module that creates findings
        importlib.import_module(loaded)
    for name, module in list(sys.modules.items()):
        if (name == "kbfix.introspect" or name.startswith("kbfix.probes")) and getattr(module, "Finding", None) is Finding:
            monkeypatch.setattr(module, "Finding", make)
    yield created


def checked(monkeypatch):
    """Fixture body: record the findings a test creates, then fail it if any lacks Chinese."""
    with recording(monkeypatch) as created:
        yield created
    problems = [p for p in map(problem, created) if p]
    assert not problems, "\n".join(problems)

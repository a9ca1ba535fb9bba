"""Every finding carries a Chinese summary: helpers for the checks."""

from __future__ import annotations

import re

from kbfix.model import Finding

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    return bool(CHINESE.search(text or ""))


def problem(finding: Finding) -> str | None:
    """Why ``finding`` lacks a proper Chinese summary, or None when it has one."""
    if not has_chinese(finding.summary.zh):
        return f"{finding.kind}: no Chinese summary ({finding.summary.zh!r}) for {finding.summary.en!r}"
    if has_chinese(finding.summary.en):
        return f"{finding.kind}: the English summary holds Chinese: {finding.summary.en!r}"
    return None

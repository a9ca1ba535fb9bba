"""PEFT's ``target_modules`` regex, matched as PEFT does (a full match of each module path), in
linear time.

The regex comes from the user's ``adapter_config.json``; Python's ``re`` backtracks, so
``(.*)*(.*)*z`` would hang on a module path. RE2 (``google-re2``, a dependency: the corpus
signatures run on it too) matches in time linear in the input, within a fixed memory budget. A
pattern RE2 does not accept (backreferences, lookarounds) or one past MAX_PATTERN characters is not
checked: the finding says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from .refuse import Refusal

MAX_PATTERN = 2000  # characters; PEFT configs hold names or short alternations
MAX_MEM = 8 << 20  # RE2's own bound on the memory one compiled pattern may take


class RegexUnchecked(Refusal):
    """A target_modules regex kbfix cannot match in linear time."""

    kind = "regex-unchecked"
    outcome = "not checked"


def is_regex(wanted: str) -> bool:
    """PEFT treats a string ``target_modules`` as a regex; kbfix also treats names with regex syntax so."""
    return any(c in wanted for c in "\\^$*+?()[]|{}")


def fullmatches(pattern: str, names: Iterable[str]) -> list[str]:
    """The names ``pattern`` fully matches (PEFT's ``re.fullmatch(target_modules, key)``)."""
    compiled = _compile(pattern)
    return [name for name in names if compiled.fullmatch(name)]


def _compile(pattern: str):
    shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
    if len(pattern) > MAX_PATTERN:
        raise RegexUnchecked(
            f"cannot check the target_modules regex: {len(pattern)} characters (kbfix checks up to {MAX_PATTERN})",
            zh=f"无法检查 target_modules 正则：长 {len(pattern)} 个字符（kbfix 最多检查 {MAX_PATTERN} 个）",
            facts={"pattern": shown})
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEM
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RegexUnchecked(
            f"cannot check this regex: RE2 does not accept {shown!r} ({reason}); kbfix matches only in linear time",
            zh=f"无法检查该正则：RE2 不接受 {shown!r}（{reason}）；kbfix 只用线性时间的匹配",
            facts={"pattern": shown, "reason": reason}) from None

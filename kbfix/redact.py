"""Secrets in a pasted log never reach kbfix's output.

A training log can hold a Hugging Face token (``hf_...``), an OpenAI-style key (``sk-...``), AWS keys,
GitHub and W&B tokens, passwords in URLs and e-mail addresses. kbfix's text and JSON go to editors,
agents and issue reports, so :func:`redact` replaces each with a placeholder that keeps the shape of
the line (``<redacted:hf-token>``) before the text is parsed: nothing kbfix prints can contain
them, and no signature depends on them, so the diagnosis does not change. ``--no-redact`` keeps
the text as it is.
"""

from __future__ import annotations

from functools import lru_cache

# kind -> pattern; a group named "pre" (and "post") is kept around the placeholder. Run on RE2:
# linear time whatever the log holds.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("hf-token", r"\bhf_[A-Za-z0-9]{30,}\b"),
    ("api-key", r"\bsk-(?:proj-|ant-|live-)?[A-Za-z0-9_-]{20,}"),
    ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b"),
    ("aws-access-key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("aws-secret-key", r"(?P<pre>(?i:aws_secret_access_key)\s*[=:]\s*['\"]?)[A-Za-z0-9/+=]{40}"),
    ("wandb-key", r"(?P<pre>(?i:wandb_api_key)\s*[=:]\s*['\"]?)[0-9a-f]{40}"),
    ("bearer-token", r"(?P<pre>Bearer )[A-Za-z0-9._~+/=-]{20,}"),
    ("url-password", r"(?P<pre>://)[^/\s:@]+:[^/\s@]+(?P<post>@)"),
    ("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
)
QUICK = ("hf_", "sk-", "gh", "github_pat_", "AKIA", "ASIA", "secret", "SECRET", "wandb", "WANDB", "Bearer", "@")


@lru_cache(maxsize=None)
def _compiled():
    import re2

    return tuple((kind, re2.compile(pattern)) for kind, pattern in PATTERNS)


def redact(text: str) -> str:
    """``text`` with every secret replaced by ``<redacted:KIND>`` (keeps a ``key=`` prefix)."""
    if not any(word in text for word in QUICK):
        return text
    for kind, pattern in _compiled():
        names = pattern.groupindex
        text = pattern.sub(lambda m, k=kind: (m.group("pre") if "pre" in names else "") + f"<redacted:{k}>"
                           + (m.group("post") if "post" in names else ""), text)
    return text

"""Stage 2: which errors in a parsed log could be the root cause.

A log can hold many errors: the same one on every rank, a launcher's echo of a worker's failure, a
watchdog timeout that another rank's crash caused, warnings. ``candidates`` keeps one trace per
distinct error (the first and last ones when there are many); ``primary`` names the one a user most
likely means when nothing is ranked yet. No ranking happens here.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kbfix.model import Log, Trace

CASCADE_RE = re.compile(
    r"ChildFailedError|CalledProcessError|KeyboardInterrupt|SystemExit|ProcessRaisedException|"
    r"ProcessExitedException|DistBackendError|NCCL communicator was aborted|Connection reset by peer|"
    r"Broken pipe|received signal SIG|exit(?:ed)? with (?:return )?code|returned non-zero exit status"
)
MAX_CANDIDATES = 12
# What a user writes of an error a later one followed: "This solved", "that fixed it", "got past it", "解决了"
# (a subject or an object beside the verb: a log line's "fixed seed" is none); a negation says the opposite.
SOLVED_RE = re.compile(r"\b(?:this|that|which|it|i|we|\w+ing)\s+(?:has\s+|have\s+|finally\s+)?(?:solved|fixed|resolved)\b|"
                       r"\b(?:solved|fixed|resolved)\s+(?:it|this|that|the (?:error|issue|problem))\b|"
                       r"\bgot (?:past|rid of)\b|解决了|已解决|修复了|搞定了", re.IGNORECASE)
# ... or, after it, the change they made: "after upgrading transformers", "若升级 transformers" (before an error
# such words tell what led to it)
CHANGED_RE = re.compile(r"\b(?:after|when|if|once|then) (?:i |we )?(?:upgrad|updat|downgrad|reinstall|switch)\w*|"
                        r"(?:升级|更新|降级|重装|换成|改成)", re.IGNORECASE)
NEGATED_RE = re.compile(r"(?:\b(?:not|never|still|nothing)|n't)\s+(?:\w+\s+){0,3}(?:solved|fixed|resolved)\b|(?:没有|没|未)(?:能)?解决",
                        re.IGNORECASE)
# ... and what introduces the error that came next: "Now I receive", "the next error", "然后又报"
LATER_RE = re.compile(r"\b(?:now|next|then|another|new|afterwards?)\b|现在|然后|接着|之后|又|新的|则|就会", re.IGNORECASE)
PROSE_WINDOW = 6  # lines of the user's words before an error and between it and the next one


def is_generic_cascade(trace: Trace) -> bool:
    """A launcher's or a process pool's report that another process failed."""
    final = trace.final
    return bool(CASCADE_RE.search(final.type) or CASCADE_RE.search(final.message[:300]))


def is_warning(trace: Trace) -> bool:
    return trace.final.type.endswith("Warning")


def is_secondary(trace: Trace) -> bool:
    return is_generic_cascade(trace) or is_warning(trace)


def solved_by_user(log: Log, trace: Trace, later: Trace) -> bool:
    """The user's own words around ``trace`` say it was solved, and ``later`` came after ("This solved
    <error>. ... Now I receive the error <error>"): the question is the later error. A log's own lines
    never say so; only prose pasted around the errors does."""
    before = log.lines[max(0, trace.start - PROSE_WINDOW):trace.start]
    # after its exception line (the lines the parser read as the message going on may be the user's next sentence)
    between = log.lines[trace.final.line + 1:min(later.start, trace.end + 1 + PROSE_WINDOW)]
    words = " ".join(line for line in (*before, *between) if line.strip())
    after = " ".join(line for line in between if line.strip())
    leading = " ".join(log.lines[max(trace.final.line + 1, later.start - 3):later.start])
    return ((bool(SOLVED_RE.search(words)) or bool(CHANGED_RE.search(after))) and not NEGATED_RE.search(words)
            and bool(LATER_RE.search(leading)))


def candidates(log: Log) -> list[Trace]:
    """Distinct errors in the log, first and last ones kept when there are many; an error the user says they
    solved before a later one is not a candidate."""
    seen: set[tuple[str, str]] = set()
    unique: list[Trace] = []
    ordered = sorted(log.traces + log.headless, key=lambda t: (t.start, t.rank or 0))
    for trace, later in zip(ordered, [*ordered[1:], None]):
        if not (trace.final.type or trace.final.message) and len(trace.exceptions) > 1:
            # a chain cut before its last exception line: the exception it was handling is the error shown
            trace = replace(trace, exceptions=trace.exceptions[:-1])
        key = (trace.final.type, trace.final.message[:200])
        if later is not None and later.start > trace.end and solved_by_user(log, trace, later):
            continue
        if key not in seen and (trace.final.type or trace.final.message):
            seen.add(key)
            unique.append(trace)
    if len(unique) > MAX_CANDIDATES:
        half = MAX_CANDIDATES // 2
        unique = unique[:half] + unique[-half:]
    return unique


def primary(log: Log) -> Trace | None:
    """Without ranking: the last real exception that is not a launcher's echo of another."""
    traces = candidates(log)
    for pool in (
        [t for t in traces if not is_secondary(t)],
        [t for t in traces if not is_warning(t)],
        traces,
    ):
        if pool:
            return pool[-1]
    return None

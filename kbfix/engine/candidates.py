"""Stage 2: which errors in a parsed log could be the root cause.

A log can hold many errors: the same one on every rank, a launcher's echo of a worker's failure, a
watchdog timeout that another rank's crash caused, warnings. ``candidates`` keeps one trace per
distinct error (the first and last ones when there are many); ``primary`` names the one a user most
likely means when nothing is ranked yet. No ranking happens here.
"""

from __future__ import annotations

import re

from kbfix.model import Log, Trace

CASCADE_RE = re.compile(
    r"ChildFailedError|CalledProcessError|KeyboardInterrupt|SystemExit|ProcessRaisedException|"
    r"ProcessExitedException|DistBackendError|NCCL communicator was aborted|Connection reset by peer|"
    r"Broken pipe|received signal SIG|exit(?:ed)? with (?:return )?code|returned non-zero exit status"
)
MAX_CANDIDATES = 12


def is_generic_cascade(trace: Trace) -> bool:
    """A launcher's or a process pool's report that another process failed."""
    final = trace.final
    return bool(CASCADE_RE.search(final.type) or CASCADE_RE.search(final.message[:300]))


def is_warning(trace: Trace) -> bool:
    return trace.final.type.endswith("Warning")


def is_secondary(trace: Trace) -> bool:
    return is_generic_cascade(trace) or is_warning(trace)


def candidates(log: Log) -> list[Trace]:
    """Distinct errors in the log, first and last ones kept when there are many."""
    seen: set[tuple[str, str]] = set()
    unique: list[Trace] = []
    for trace in sorted(log.traces + log.headless, key=lambda t: (t.start, t.rank or 0)):
        key = (trace.final.type, trace.final.message[:200])
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

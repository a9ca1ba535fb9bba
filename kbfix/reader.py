"""Read a log of any size with bounded memory, keeping what diagnosis needs.

A training log can be gigabytes of progress bars with the error near the end, or an early error
followed by hours of noise. :class:`Excerpt` keeps the first and last error blocks (a window of lines
from each ``Traceback`` / exception line) and the tail of the stream; everything else is counted and
dropped. Optionally it passes every byte through to another stream as it arrives (``cmd | kbfix``).
"""

from __future__ import annotations

import os
import re
from collections import deque
from typing import BinaryIO

CHUNK = 1 << 16
MAX_LINE_BYTES = 8192
TRIGGER_RE = re.compile(r"Traceback \(most recent call last\)|[A-Za-z](?:Error|Exception|Warning)\b|╭─|error:|Watchdog|nan\b")


class InputError(ValueError):
    """The input cannot be diagnosed; the message says why (exit code 2)."""


class Excerpt:
    def __init__(self, tail_lines: int = 3000, block_lines: int = 250, head_blocks: int = 20, tail_blocks: int = 20):
        self.tail: deque[tuple[int, str]] = deque(maxlen=tail_lines)
        self.block_lines = block_lines
        self.head_blocks: list[list[tuple[int, str]]] = []
        self.tail_blocks: deque[list[tuple[int, str]]] = deque(maxlen=tail_blocks)
        self.head_limit = head_blocks
        self.current: list[tuple[int, str]] | None = None
        self.count = 0
        self.bytes = 0
        self.long_lines = 0
        self.nul_bytes = 0
        self.sample = b""

    def feed_line(self, line: str) -> None:
        n = self.count
        self.count += 1
        self.tail.append((n, line))
        if self.current is not None:
            self.current.append((n, line))
            if len(self.current) >= self.block_lines:
                self.current = None
        elif TRIGGER_RE.search(line):
            self.current = [(n, line)]
            if len(self.head_blocks) < self.head_limit:
                self.head_blocks.append(self.current)
            else:
                self.tail_blocks.append(self.current)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.tail) or self.long_lines > 0

    def text(self) -> str:
        kept: dict[int, str] = {}
        for block in list(self.head_blocks) + list(self.tail_blocks):
            kept.update(block)
        kept.update(self.tail)
        out: list[str] = []
        previous = -1
        for n in sorted(kept):
            if previous >= 0 and n != previous + 1:
                out.append("")  # a gap: keeps blocks apart for the parser
            out.append(kept[n])
            previous = n
        return "\n".join(out)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def read_stream(stream: BinaryIO, *, echo: BinaryIO | None = None, excerpt: Excerpt | None = None) -> Excerpt:
    """Consume ``stream`` chunk by chunk; echo each chunk at once; return the excerpt."""
    excerpt = excerpt or Excerpt()
    carry = b""
    skipping = False  # inside an over-long line: drop bytes until its newline
    fd = stream.fileno() if hasattr(stream, "fileno") and _is_real_fd(stream) else None
    while True:
        chunk = os.read(fd, CHUNK) if fd is not None else stream.read(CHUNK)
        if not chunk:
            break
        if echo is not None:
            echo.write(chunk)
            echo.flush()
        if len(excerpt.sample) < 8192:
            excerpt.sample += chunk[: 8192 - len(excerpt.sample)]
        excerpt.bytes += len(chunk)
        excerpt.nul_bytes += chunk.count(b"\0")
        data = carry + chunk
        lines = data.split(b"\n")
        carry = lines.pop()
        for raw in lines:
            if skipping:
                skipping = False
                continue
            excerpt.feed_line(_decode(raw))
        if len(carry) > MAX_LINE_BYTES:
            if not skipping:
                excerpt.feed_line(_decode(carry[:MAX_LINE_BYTES]) + " …[line truncated]")
                excerpt.long_lines += 1
            skipping = True
            carry = b""
    if carry and not skipping:
        excerpt.feed_line(_decode(carry))
    return excerpt


def _is_real_fd(stream) -> bool:
    try:
        stream.fileno()
    except (OSError, ValueError, AttributeError):
        return False
    return True


def check_text(excerpt: Excerpt) -> str:
    """Return the excerpt's text, or raise InputError for empty or binary input."""
    if excerpt.bytes == 0:
        raise InputError("no input: pipe a traceback or a training log into kbfix, or give a file")
    sample = excerpt.sample
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 27))
    if excerpt.nul_bytes > 0 or (sample and controls / len(sample) > 0.1):
        raise InputError("the input looks binary, not a text log: give kbfix the error output or a log file")
    text = excerpt.text()
    if not text.strip():
        raise InputError("the input holds only blank lines: nothing to diagnose")
    return text

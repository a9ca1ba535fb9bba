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
from typing import BinaryIO, Callable

CHUNK = 1 << 16
MAX_LINE_BYTES = 8192
TRIGGER_RE = re.compile(r"Traceback \(most recent call last\)|[A-Za-z](?:Error|Exception|Warning)\b|╭─|error:|Watchdog|nan\b")
# Substrings every TRIGGER_RE match contains: a chunk holding none of them skips the regex.
TRIGGER_WORDS = ("Traceback", "Error", "Exception", "Warning", "╭─", "error:", "Watchdog", "nan")


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

    def feed_lines(self, lines: list[str], joined: str | None = None) -> None:
        """Feed many lines; a stretch with no error trigger goes straight to the tail."""
        text = joined if joined is not None else "\n".join(lines)
        if self.current is None and not any(word in text for word in TRIGGER_WORDS):
            start = self.count
            self.count += len(lines)
            self.tail.extend(zip(range(start, self.count), lines))
            return
        for line in lines:
            self.feed_line(line)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.tail) or self.long_lines > 0

    def text(self) -> str:
        return "\n".join(line for _, line in self.numbered())

    def numbered(self) -> list[tuple[int | None, str]]:
        """The kept lines with their 0-based line numbers in the input (None for a gap line)."""
        kept: dict[int, str] = {}
        for block in list(self.head_blocks) + list(self.tail_blocks):
            kept.update(block)
        kept.update(self.tail)
        out: list[tuple[int | None, str]] = []
        previous = -1
        for n in sorted(kept):
            if previous >= 0 and n != previous + 1:
                out.append((None, ""))  # a gap: keeps blocks apart for the parser
            out.append((n, kept[n]))
            previous = n
        return out


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _clip(line: str, excerpt: Excerpt) -> str:
    if len(line) <= MAX_LINE_BYTES:
        return line
    excerpt.long_lines += 1
    return line[:MAX_LINE_BYTES] + " …[line truncated]"


def read_stream(stream: BinaryIO, *, echo: BinaryIO | None = None, excerpt: Excerpt | None = None,
                on_lines: Callable[[int, list[str], str | None], None] | None = None) -> Excerpt:
    """Consume ``stream`` chunk by chunk; echo each chunk at once; return the excerpt.

    ``on_lines(first, lines, joined)``: called with each batch of complete lines as it arrives
    (``first`` is the 0-based number of its first line); ``kbfix.watch`` hooks in here.
    """
    excerpt = excerpt or Excerpt()

    def feed(lines: list[str], text: str | None = None) -> None:
        if on_lines is not None:
            on_lines(excerpt.count, lines, text)
        excerpt.feed_lines(lines, text)

    carry = b""
    skipping = False  # inside an over-long line: drop bytes until its newline
    fd = stream.fileno() if _is_real_fd(stream) else None
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
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
        else:
            carry = data[cut + 1:]
            text = _decode(data[:cut])
            lines = text.split("\n")
            if skipping:  # the rest of an over-long line
                lines = lines[1:]
                text = None
                skipping = False
            if lines:
                if max(map(len, lines)) > MAX_LINE_BYTES:
                    lines = [_clip(line, excerpt) for line in lines]
                    text = None
                feed(lines, text)
        if len(carry) > MAX_LINE_BYTES:
            if not skipping:
                feed([_decode(carry[:MAX_LINE_BYTES]) + " …[line truncated]"])
                excerpt.long_lines += 1
            skipping = True
            carry = b""
    if carry and not skipping:
        feed([_decode(carry)])
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

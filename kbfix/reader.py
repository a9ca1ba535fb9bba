"""Read a log of any size with bounded memory, keeping what diagnosis needs.

A training log can be gigabytes of progress bars with the error near the end, or an early error
followed by hours of noise. :class:`Excerpt` keeps the first and last error blocks (a window of lines
from each ``Traceback`` / exception line) and the tail of the stream; everything else is counted and
dropped. Optionally it passes every byte through to another stream as it arrives (``cmd | kbfix``).
"""

from __future__ import annotations

import codecs
import os
import re
from collections import deque
from typing import BinaryIO, Callable

CHUNK = 1 << 16
MAX_LINE_BYTES = 8192
SAMPLE_BYTES = 1 << 16  # what the binary check looks at
BINARY_SHARE = 0.3  # a stream is binary when this share of its sample is NULs, control bytes or invalid UTF-8
BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
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
        self.encoding = "utf-8"  # from a byte-order mark, when the stream starts with one
        self.binary = False  # the sample was judged binary: reading stopped there

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


def bad_share(sample: bytes) -> float:
    """The share of a UTF-8 sample that no text log holds: NULs, control bytes, invalid sequences."""
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    invalid = sample.decode("utf-8", errors="replace").count("\ufffd") - sample.decode("utf-8", "ignore").count("\ufffd")
    return (controls + max(invalid, 0)) / len(sample)


class _Transcoder:
    """Bytes of the stream -> UTF-8 bytes: a byte-order mark (UTF-8/16/32) picks the codec; stray NULs
    in a UTF-8 stream are dropped (and counted)."""

    def __init__(self, excerpt: Excerpt):
        self.excerpt = excerpt
        self.decoder = None
        self.started = False

    def __call__(self, chunk: bytes) -> bytes:
        if not self.started:
            self.started = True
            for bom, encoding in BOMS:
                if chunk.startswith(bom):
                    self.excerpt.encoding = encoding
                    chunk = chunk[len(bom):]
                    if encoding != "utf-8":
                        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
                    break
        if self.decoder is not None:
            return self.decoder.decode(chunk).encode("utf-8", errors="replace")
        nuls = chunk.count(b"\0")
        if nuls:
            self.excerpt.nul_bytes += nuls
            chunk = chunk.replace(b"\0", b"")
        return chunk


def read_stream(stream: BinaryIO, *, echo: BinaryIO | None = None, excerpt: Excerpt | None = None,
                on_lines: Callable[[int, list[str], str | None], None] | None = None) -> Excerpt:
    """Consume ``stream`` chunk by chunk; echo each chunk at once; return the excerpt.

    Stops early, with ``excerpt.binary`` set, when the first 64 KiB are mostly not text (``/dev/zero``,
    an image): the verdict is known and reading on would never end. ``on_lines(first, lines,
    joined)``: called with each batch of complete lines as it arrives (``first`` is the 0-based number
    of its first line); ``kbfix.watch`` hooks in here.
    """
    excerpt = excerpt or Excerpt()
    transcode = _Transcoder(excerpt)

    def feed(lines: list[str], text: str | None = None) -> None:
        if on_lines is not None:
            on_lines(excerpt.count, lines, text)
        excerpt.feed_lines(lines, text)

    carry = b""
    skipping = False  # inside an over-long line: drop bytes until its newline
    fd = stream.fileno() if _is_real_fd(stream) else None
    raw_seen = raw_nuls = 0
    while True:
        chunk = os.read(fd, CHUNK) if fd is not None else stream.read(CHUNK)
        if not chunk:
            break
        if echo is not None:
            echo.write(chunk)
            echo.flush()
        excerpt.bytes += len(chunk)
        raw = chunk
        chunk = transcode(chunk)
        if raw_seen < SAMPLE_BYTES and transcode.decoder is None:
            head = raw[: SAMPLE_BYTES - raw_seen]
            raw_seen += len(head)
            raw_nuls += head.count(b"\0")
            if raw_nuls > BINARY_SHARE * max(raw_seen, 512):
                excerpt.binary = True  # mostly NUL bytes (/dev/zero, an image): no log, stop reading
                break
        if len(excerpt.sample) < SAMPLE_BYTES:
            excerpt.sample += chunk[: SAMPLE_BYTES - len(excerpt.sample)]
            if len(excerpt.sample) >= SAMPLE_BYTES and bad_share(excerpt.sample) > BINARY_SHARE:
                excerpt.binary = True
                break
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
    if carry and not skipping and not excerpt.binary:
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
    if excerpt.binary or bad_share(excerpt.sample) > BINARY_SHARE:
        raise InputError("the input looks binary, not a text log: give kbfix the error output or a log file")
    text = excerpt.text()
    if not text.strip():
        raise InputError("the input holds only blank lines: nothing to diagnose")
    return text

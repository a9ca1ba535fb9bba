"""Read the language server's stdin so that a 100 MB log never sits in memory whole.

An LSP client sends the whole text of a document in ``didOpen`` (and in each ``didChange`` with
full sync). pygls would read that body, then parse it into one string: two copies of the log. The
server needs only what the CLI keeps (error blocks and tail), so :class:`Stdin` hands pygls every
small message untouched, and streams a large one: the bytes of its ``"text"`` string go through a
JSON-string decoder straight into :func:`kbfix.reader.read_stream` (with the early-warning watch),
and pygls receives the message with the text replaced by a marker naming the kept excerpt.
SDK-free; tests feed it bytes.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from typing import BinaryIO, Callable

BIG = 1 << 20  # bodies above this are streamed
HEAD = 1 << 16  # the most bytes looked at for the text's key
CHUNK = 1 << 16
MARKER = "\x00kbfix-excerpt:"
TEXT_KEY = re.compile(rb'"text"\s*:\s*"')


class Stdin:
    """A binary stdin for pygls: ``readline`` as is, ``read(n)`` streams bodies of ``BIG`` bytes or more.

    ``digest(stream) -> object`` consumes a streamed text (a binary file-like object) and returns what
    to keep; it is stored under a number that the marker in the message carries (:meth:`take`).
    """

    def __init__(self, raw: BinaryIO, digest: Callable[[BinaryIO], object], big: int = BIG):
        self.raw = raw
        self.digest = digest
        self.big = big
        self._kept: dict[int, object] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def readline(self) -> bytes:
        return self.raw.readline()

    def read(self, n: int) -> bytes:
        if n < self.big:
            return self.raw.read(n)
        return self._stream_body(n)

    def take(self, text: str) -> object | None:
        """What was kept for a marker text, or None when ``text`` is a document's real text."""
        if not text.startswith(MARKER):
            return None
        with self._lock:
            return self._kept.pop(int(text[len(MARKER):]), None)

    def _stream_body(self, n: int) -> bytes:
        body = _Body(self.raw, n)
        head = body.until_text_key()
        if head is None:  # a big message without a text: nothing to stream
            return body.rest()
        text = JsonString(body)
        kept = self.digest(text)
        text.drain()
        number = next(self._ids)
        with self._lock:
            self._kept[number] = kept
        marker = json.dumps(MARKER + str(number)).encode()
        return head + marker + body.rest()


class _Body:
    """The ``n`` bytes of one message, read in chunks."""

    def __init__(self, raw: BinaryIO, n: int):
        self.raw = raw
        self.left = n
        self.buffer = b""

    def chunk(self) -> bytes:
        """More bytes (the buffer first); empty at the end of the body."""
        if self.buffer:
            data, self.buffer = self.buffer, b""
            return data
        if self.left <= 0:
            return b""
        data = self.raw.read(min(CHUNK, self.left))
        if not data:
            raise EOFError("the client closed stdin inside a message")
        self.left -= len(data)
        return data

    def until_text_key(self) -> bytes | None:
        """Bytes up to and without the opening quote of the ``"text"`` value; None if there is none
        (the keys before a text are short: past ``HEAD`` bytes without it, the message is passed whole)."""
        seen = b""
        while True:
            data = self.chunk()
            if not data or len(seen) > HEAD:
                self.buffer = seen + data
                return None
            seen += data
            match = TEXT_KEY.search(seen)
            if match:
                self.buffer = seen[match.end():]
                return seen[: match.end() - 1]

    def rest(self) -> bytes:
        parts = []
        while True:
            data = self.chunk()
            if not data:
                return b"".join(parts)
            parts.append(data)


class JsonString:
    """A file-like ``read(k)`` of the decoded UTF-8 bytes of a JSON string, from just after its quote."""

    def __init__(self, body: _Body):
        self.body = body
        self.done = False
        self.pending = b""  # raw bytes not decoded yet (a cut escape or UTF-8 sequence)

    def read(self, size: int = -1) -> bytes:
        while not self.done:
            data = self.body.chunk()
            if not data:
                raise ValueError("the message ended inside a string")
            raw = self.pending + data
            end = _closing_quote(raw)
            if end >= 0:
                self.done = True
                self.body.buffer = raw[end + 1:]  # what follows the closing quote
                raw, self.pending = raw[:end], b""
            else:
                cut = _safe_cut(raw)
                raw, self.pending = raw[:cut], raw[cut:]
            if raw:
                return json.loads(b'"' + raw + b'"').encode("utf-8", "surrogatepass")
        return b""

    def drain(self) -> None:
        while self.read():
            pass


def _closing_quote(raw: bytes) -> int:
    """Position of the first unescaped ``"`` in ``raw``, or -1."""
    position = raw.find(b'"')
    while position >= 0:
        backslashes = 0
        while position - backslashes - 1 >= 0 and raw[position - backslashes - 1] == 0x5C:
            backslashes += 1
        if backslashes % 2 == 0:
            return position
        position = raw.find(b'"', position + 1)
    return -1


def _safe_cut(raw: bytes) -> int:
    """Where to cut ``raw`` so that no escape, surrogate pair or UTF-8 sequence is split."""
    cut = len(raw)
    for _ in range(2):  # an incomplete escape; then a high surrogate left without its low half
        start = _last_escape(raw, cut)
        if start < 0:
            break
        escape = raw[start:cut]
        unicode = escape[1:2] == b"u"
        if len(escape) == 1 or unicode and len(escape) < 6:
            cut = start
        elif unicode and len(escape) == 6 and escape[2:4].lower() in (b"d8", b"d9", b"da", b"db"):
            cut = start
        else:
            break
    for back in range(1, 4):  # a UTF-8 sequence cut at the end
        if cut - back < 0:
            break
        byte = raw[cut - back]
        if byte & 0xC0 == 0x80:
            continue
        if byte & 0x80 and back < (2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4):
            cut -= back
        break
    return cut


def _last_escape(raw: bytes, end: int) -> int:
    """Start of the last escape among the final bytes before ``end`` (a backslash run of odd length), or -1."""
    position = raw.rfind(b"\\", max(0, end - 6), end)
    if position < 0:
        return -1
    first = position
    while first > 0 and raw[first - 1] == 0x5C:
        first -= 1
    run = position - first + 1
    return position if run % 2 else -1

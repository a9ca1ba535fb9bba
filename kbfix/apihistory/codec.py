"""The text format of one library's API history, shared by the builder and the reader.

A file is two gzip members (``zcat`` shows both): the names (releases, modules, symbols, imports)
and the code (signatures, callables), so that a query about names never inflates the code. Each
member is ``@section`` headers followed by lines; release sets are run-length encoded indices into
the library's sorted release list (``0-12,14``). Lines are grouped by module so that a reader
splits a section into a dict of ~thousands of raw lines and parses one module's line on demand::

    @releases
    4.36.2 4.37.2 ...
    @modules
    <module>\t<ranges>
    @symbols
    <module>\t<name> <ranges>[ <origin module>]\t<name> <ranges>...
    @imports
    <other library>\t<module> <name or -> <ranges>\t...
    --- second member ---
    @sigs
    <signature text>                       (line i is signature id i)
    @funcs
    <module>\t<object path> <sig id>:<ranges>;<sig id>:<ranges>\t...

An origin that starts with ``.`` is relative to the line's module (``.configuration_llama``). Methods
(``Class.method``) are listed under @funcs only, unless the symbol is not a function (a nested class).
A signature text is ``a,b=,/,c,*args,d=,**kw`` (``=``: has a default); a final ``+`` marks a dataclass
``__init__`` whose fields come partly from a base outside the library.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Iterable

def encode_ranges(indices: Iterable[int]) -> str:
    """Sorted indices as ``a-b,c``; the empty set is ``-``."""
    ordered = sorted(set(indices))
    if not ordered:
        return "-"
    runs: list[str] = []
    start = prev = ordered[0]
    for index in ordered[1:] + [None]:
        if index is not None and index == prev + 1:
            prev = index
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if index is not None:
            start = prev = index
    return ",".join(runs)


def decode_ranges(text: str) -> frozenset[int]:
    out: set[int] = set()
    if text == "-":
        return frozenset()
    for run in text.split(","):
        first, _, last = run.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return frozenset(out)


MEMBERS = (("releases", "modules", "symbols", "imports"), ("sigs", "funcs"))
SECTIONS = tuple(name for member in MEMBERS for name in member)


def encode(sections: dict[str, list[str]]) -> bytes:
    """The sections as two concatenated gzip members (names, then code)."""
    out = b""
    for member in MEMBERS:
        parts = []
        for name in member:
            parts.append("@" + name)
            parts.extend(sections.get(name, []))
        out += gzip.compress(("\n".join(parts) + "\n").encode("utf-8"), compresslevel=9, mtime=0)
    return out


def _split(text: str) -> dict[str, str]:
    """Section name -> raw body, for the ``@name`` headers found in one member's text."""
    out: dict[str, str] = {}
    starts = []
    at = 0 if text.startswith("@") else -1
    while at != -1:
        end = text.find("\n", at)
        starts.append((text[at + 1:end], end + 1))
        at = text.find("\n@", end)
        at = at + 1 if at != -1 else -1
    for position, (name, body) in enumerate(starts):
        stop = starts[position + 1][1] - len(starts[position + 1][0]) - 2 if position + 1 < len(starts) else len(text)
        out[name] = text[body:max(stop, body)].rstrip("\n")
    return out


class Sections:
    """The sections of one file, each member inflated the first time one of its sections is asked for."""

    def __init__(self, data: bytes):
        self._pending = data
        self._ready: dict[str, str] = {}

    def _inflate_next(self) -> bool:
        if not self._pending:
            return False
        inflater = zlib.decompressobj(wbits=31)  # gzip framing; ~2x faster than gzip.decompress
        text = inflater.decompress(self._pending).decode("utf-8")
        self._pending = inflater.unused_data
        self._ready.update(_split(text))
        return True

    def pop(self, name: str) -> str:
        """A section's raw text (handed over once: the reader keeps what it builds from it)."""
        while name not in self._ready and self._inflate_next():
            pass
        return self._ready.pop(name, "")


def decode(data: bytes) -> dict[str, str]:
    """Every section's raw text (for tools; the reader inflates lazily through Sections)."""
    sections = Sections(data)
    return {name: sections.pop(name) for name in SECTIONS}


def grouped(body: str) -> dict[str, str]:
    """``key\\trest`` lines as a dict (the rest unparsed)."""
    out: dict[str, str] = {}
    for line in body.split("\n"):
        if line:
            key, _, rest = line.partition("\t")
            out[key] = rest
    return out

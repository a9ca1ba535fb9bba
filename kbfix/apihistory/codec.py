"""The text format of one library's API history, shared by the builder and the reader.

A file is ``@section`` headers followed by lines; release sets are run-length encoded indices into
the library's sorted release list (``0-12,14``). Lines are grouped by module so that a reader
splits a section into a dict of ~thousands of raw lines and parses one module's line on demand::

    @releases
    4.36.2 4.37.2 ...
    @modules
    <module>\t<ranges>
    @symbols
    <module>\t<name> <ranges>[ <origin module>]\t<name> <ranges>...
    @sigs
    <signature text>                       (line i is signature id i)
    @funcs
    <module>\t<object path> <sig id>:<ranges>;<sig id>:<ranges>\t...
    @imports
    <other library>\t<module> <name or -> <ranges>\t...

A signature text is ``a,b=,/,c,*args,d=,**kw`` (``=``: has a default); a final ``+`` marks a dataclass
``__init__`` whose fields come partly from a base outside the library.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Iterable

SECTIONS = ("releases", "modules", "symbols", "sigs", "funcs", "imports")


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


def encode(sections: dict[str, list[str]]) -> bytes:
    """The gzip-compressed text of the sections, in the fixed order."""
    parts = []
    for name in SECTIONS:
        parts.append("@" + name)
        parts.extend(sections.get(name, []))
    return gzip.compress(("\n".join(parts) + "\n").encode("utf-8"), compresslevel=9, mtime=0)


def decode(data: bytes) -> dict[str, str]:
    """Section name -> its raw text (lines joined by newlines), without parsing the lines."""
    text = zlib.decompress(data, wbits=31).decode("utf-8")  # gzip framing; zlib is ~2x faster than gzip here
    out: dict[str, str] = {}
    starts = []
    for name in SECTIONS:
        at = text.find(f"@{name}\n") if not starts else text.find(f"\n@{name}\n", starts[-1][1]) + 1
        if at > 0 or (at == 0 and not starts):
            starts.append((name, at))
    for position, (name, at) in enumerate(starts):
        end = starts[position + 1][1] - 1 if position + 1 < len(starts) else len(text) - 1
        out[name] = text[at + len(name) + 2:max(end, at + len(name) + 2)]
    return out


def grouped(body: str) -> dict[str, str]:
    """``key\\trest`` lines as a dict (the rest unparsed)."""
    out: dict[str, str] = {}
    for line in body.split("\n"):
        if line:
            key, _, rest = line.partition("\t")
            out[key] = rest
    return out

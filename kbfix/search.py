"""Search the corpus by words: ids, titles, tags and bodies, ``tag:X`` and ``lib:X``.

Used by the terminal UI's browser and by the editor integrations (``kbfix mcp``). Pure: no engine,
no I/O beyond the entries handed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kbfix import traceback as tb
from kbfix.model import Entry


def _norm(word: str) -> str:
    return re.sub(r"[-_.\s]", "", word.lower())


def libraries(entry: Entry) -> set[str]:
    """Libraries an entry is about: its tags that name a known library, and those its frames name."""
    known = {_norm(lib) for lib in tb.KNOWN_LIBS}
    found = {_norm(tag) for tag in entry.tags} & known
    for sig in entry.signatures:
        for pattern in sig.frames:
            found |= {_norm(word) for word in re.findall(r"[A-Za-z_]+", pattern)} & known
    return found


def search_entries(entries: Iterable[Entry], query: str) -> list[Entry]:
    """Entries matching every term of ``query``: words (id, titles, tags, body), ``tag:X``, ``lib:X``.

    Entries whose id, title or tags match the words come before those matching in the body only;
    within each group, entries holding the words as one phrase come first, then the rest in corpus order.
    """
    terms = query.split()
    head: list[Entry] = []
    body: list[Entry] = []
    for entry in entries:
        tags = {_norm(t) for t in entry.tags}
        summary = " ".join((entry.id, entry.title.en, entry.title.zh, " ".join(entry.tags))).lower()
        text = (entry.body.en + "\n" + entry.body.zh).lower()
        ok, in_summary = True, True
        for term in terms:
            key, _, value = term.partition(":")
            if value and key.lower() == "tag":
                ok = _norm(value) in tags
            elif value and key.lower() in ("lib", "library"):
                ok = _norm(value) in libraries(entry)
            elif term.lower() in summary:
                ok = True
            else:
                ok, in_summary = term.lower() in text, False
            if not ok:
                break
        if ok:
            (head if in_summary else body).append(entry)
    words = " ".join(t.lower() for t in terms if ":" not in t)

    def phrase_first(entry: Entry) -> bool:
        return len(words.split()) < 2 or words not in " ".join((entry.body.en + " " + entry.body.zh).lower().split())

    return sorted(head, key=phrase_first) + sorted(body, key=phrase_first)


def search_any(entries: Iterable[Entry], query: str) -> list[Entry]:
    """Entries matching some term of ``query``, most terms matched first (for when none matches all)."""
    scored = []
    for position, entry in enumerate(entries):
        matched = sum(bool(search_entries([entry], term)) for term in query.split())
        if matched:
            scored.append((-matched, position, entry))
    return [entry for *_, entry in sorted(scored, key=lambda item: item[:2])]

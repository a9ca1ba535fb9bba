"""Stage 3a: corpus signatures matched against one error and the whole log.

A signature is an exception type, a message regex, frame regexes, whole-log regexes, key-list facts
and exclusions (:class:`kbfix.model.Signature`). ``match`` returns its hits for one candidate error.
The exception type is evidence, not a gate; each hit has a level:

- ``full``: the type and the message match (and every condition holds);
- ``loose``: the message matches an error of another type or of unknown type (a paste without its
  exception line, a wrapper or re-raiser, another release's exception class);
- ``fragment``: the message is cut off (a truncated paste, ``...`` in place of lines) and what is
  there is a long enough start of the signature's wording.

Near misses (``partial``) are hits whose exception and message matched but a condition the author
wrote to exclude look-alikes (frames, text, requires, facts, unless) did not hold: evidence against
the entry.

Every corpus regex runs on RE2 (``google-re2``): linear time in the input whatever the pattern, so a
crafted log cannot make matching backtrack; ``kbfix corpus check`` rejects a pattern RE2 cannot run.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from kbfix.model import Entry, Evidence, Exc, Log, Signature, Trace

if TYPE_CHECKING:  # each compiles its own patterns: imported when a matched signature asks for a fact
    from kbfix.engine import keys, launch, skew

FULL, LOOSE, FRAGMENT = "full", "loose", "fragment"
MIN_FRAGMENT_CHARS = 24
MIN_FRAGMENT_SHARE = 0.5
DIVERGE_CHARS = 3  # the start of a wording's next words, found and then left, says the message went on otherwise
MIN_EXCLUSION_CHARS = 16  # an exclusion the cut may have hidden shows this much of its wording
MAX_FRAGMENT_TAIL = 200  # a cut message ends this close after the last words found
VARIABLE_ITEM_CHARS = 8
MIN_ALTERNATIVE_CHARS = 3  # a cut inside a wording's alternatives must show this much of one of them
WORD_RE = re.compile(r"[^\W_]")
MAX_SEARCH_CHARS = 2_000_000  # the most of one text any pattern searches (a log is already an excerpt)
ELISION_SPLIT_RE = re.compile(r"\.{3,}|…|。{2,}")
ELISION_END_RE = re.compile(r"(?:\.{3,}|…|。{2,})\s*$")
ELISION_LINE_RE = re.compile(r"\s*(?:\.{3,}|…|。{2,}|\[\.\.\.\]|\(\.\.\.\))\s*$")
MAX_CUT_LINES_SCANNED = 5_000  # a cut is looked for in the log's last lines
MAX_CUT_LINES = 32  # and at most this many cut lines are tried per text signature


class _Never:
    """A compiled pattern that never matches (an invalid corpus regex: corpus check flags it)."""

    def search(self, text: str, *args):
        return None

    fullmatch = search


@lru_cache(maxsize=None)
def _compiled(flags: str, pattern: str):
    import re2

    options = re2.Options()
    # RE2 falls back from its DFA to its NFA when a pattern's automaton outgrows its memory budget (large bounded
    # repeats on a long log) and says so on stderr: the answer is the same, the user's terminal stays clean
    options.log_errors = False
    try:
        return re2.compile(f"(?{flags})" + pattern, options)
    except re2.error:
        return _Never()


def rx(pattern: str):
    """Compile a corpus regex on RE2 once per process, with ``^``/``$`` matching at line breaks."""
    return _compiled("m", pattern)


def rx_folded(pattern: str):
    """``pattern`` matching regardless of letter case (a message retyped or lowercased in a paste)."""
    return _compiled("mi", pattern)


QUOTES = "'\"‘’“”`"
QUANTIFIERS = "?*+{"
QUOTES_RE = re.compile("[" + re.escape(QUOTES) + "]")
MIN_UNQUOTED_WORDING = 12


_UNQUOTED: dict[str, str | None] = {}  # pattern -> unquoted(pattern): computed here or kept with the prepared corpus


def remember_unquoted(known: dict[str, str | None]) -> None:
    """Answers of :func:`unquoted` computed when the corpus was prepared (a scan of every wording costs a
    cold run milliseconds; the prepared corpus keeps them)."""
    _UNQUOTED.update(known)


_FRAGMENT_START: dict[str, str | None] = {}  # pattern -> fragment_start(pattern): kept with the prepared corpus


def remember_fragment_starts(known: dict[str, str | None]) -> None:
    """Answers of :func:`fragment_start` computed when the corpus was prepared (reading a wording's
    parts parses the regex: milliseconds per signature on a cold run)."""
    _FRAGMENT_START.update(known)


def fragment_start(pattern: str) -> str | None:
    """A wording's first literal run, whose start (FRAGMENT_PREFIX characters) a text the wording is cut
    from must hold; None when the wording cannot fire as a fragment."""
    if pattern not in _FRAGMENT_START:
        runs = [r for r in _wording(pattern) if isinstance(r, str) and r.strip()] if _can_fragment(pattern) else []
        _FRAGMENT_START[pattern] = str(runs[0]) if runs else None
    return _FRAGMENT_START[pattern]


def unquoted(pattern: str) -> str | None:
    """``pattern`` with every quote it asks for made optional, or None when it asks for none (see
    :func:`_unquoted`); each answer is worked out once per process."""
    if pattern not in _UNQUOTED:
        _UNQUOTED[pattern] = _unquoted(pattern)
    return _UNQUOTED[pattern]


def _unquoted(pattern: str) -> str | None:
    """``pattern`` with every quote it asks for made optional, or None when it asks for none.

    Python quotes the names in its messages (``No module named 'peft'``, ``unexpected keyword argument
    'k'``); a message retyped into a post, or quoted inside another quote, often loses them. Quote
    characters outside a class, and classes of quote characters only (``['"‘’`]``), get a ``?``. Only
    for a wording with words of its own (12+ literal characters outside its captures, quotes aside): a
    message that is nothing but a quoted name (a KeyError's) is a bare name without them."""
    if _own_words(pattern) < MIN_UNQUOTED_WORDING:
        return None
    out, i, changed = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            piece, quote = pattern[i:i + 2], pattern[i + 1] in QUOTES
            i += 2
        elif ch == "[":
            end = _class_end(pattern, i)
            piece = pattern[i:end + 1]
            members = piece[1:-1].replace("\\", "")
            quote = bool(members) and not members.startswith("^") and all(m in QUOTES for m in members)
            i = end + 1
        else:
            piece, quote = ch, ch in QUOTES
            i += 1
        out.append(piece)
        following = pattern[i:i + 1]
        if quote and (not following or following not in QUANTIFIERS):
            out.append("?")
            changed = True
    return "".join(out) if changed else None


def _class_end(pattern: str, start: int) -> int:
    """Where the character class opening at ``start`` closes (its "]"; the pattern's length if it never does)."""
    end = start + 1 + (pattern[start + 1:start + 2] == "^")
    end += pattern[end:end + 1] == "]"  # a "]" first in a class is a member
    while end < len(pattern) and pattern[end] != "]":
        end += 2 if pattern[end] == "\\" else 1
    return end


def _retyped(m):
    """A match of an :func:`unquoted` wording that holds no quote at all: the message lost its quotes (a
    quote left in it means the quotes were there, delimiting names the wording does not name)."""
    return m if m is not None and not QUOTES_RE.search(m.group(0)) else None


def _own_words(pattern: str) -> int:
    """Literal characters a wording always holds outside capturing groups, quotes and spaces aside
    (a linear scan: optional pieces, classes, escapes such as \\w and alternated groups do not count)."""
    total, i, n = 0, 0, len(pattern)
    frames: list[list] = []  # per open group: [captures, total when opened, alternated]
    captured = 0  # capturing groups open here
    last = 0  # what the last atom added (a quantifier after it takes it back)
    while i < n:
        ch = pattern[i]
        added = 0
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            added = int(not nxt.isalnum() and not nxt.isspace() and nxt not in QUOTES)
            i += 2
        elif ch == "[":
            i = _class_end(pattern, i) + 1
        elif ch == "(":
            if pattern.startswith("(?P<", i) or not pattern.startswith("(?", i):
                captures = True
                i = max(pattern.find(">", i) + 1, i + 1) if pattern.startswith("(?P<", i) else i + 1
            else:  # (?:...), (?i:...), (?i)
                close = min((k for k in (pattern.find(":", i), pattern.find(")", i)) if k >= 0), default=n)
                if pattern[close:close + 1] == ")":  # a flag group such as (?i): no group opens
                    i = close + 1
                    last = 0
                    continue
                captures = False
                i = close + 1
            frames.append([captures, total, False])
            captured += captures
            last = 0
            continue
        elif ch == ")":
            captures, opened, alternated = frames.pop() if frames else (False, total, False)
            captured -= captures
            if alternated:
                total = opened
            last = total - opened
            i += 1
            continue
        elif ch == "|":
            if not frames:
                return 0  # alternatives at the top: no words every match holds, as far as this scan knows
            frames[-1][2] = True
            i += 1
            last = 0
            continue
        elif ch in "?*+{":
            if ch == "{":
                i = pattern.find("}", i) + 1 or n
            else:
                i += 1
            if ch in "?*{":  # x?, x*, x{0,..}: the atom may be absent (a {n} count is taken as optional too)
                total -= last
            last = 0
            if i < n and pattern[i] in "?+":
                i += 1  # a lazy or possessive mark
            continue
        else:
            added = int(ch not in ".^$" and not ch.isspace() and ch not in QUOTES)
            i += 1
        if captured:
            added = 0
        total += added
        last = added
    return total


FLAT_RE = re.compile(r"\*\*|\s+")


@lru_cache(maxsize=64)  # one error's message is flattened once, not once per signature
def _flat(message: str) -> str:
    """A message with its line breaks and runs of spaces as one space, and Markdown bold removed."""
    return FLAT_RE.sub(lambda m: "" if m.group(0) == "**" else " ", message).strip()


def rx_problem(pattern: str) -> str | None:
    """Why RE2 cannot run ``pattern`` (look-arounds, back-references, ``\\Z``...), or None."""
    import re2

    try:
        re2.compile("(?m)" + pattern)
    except re2.error as exc:
        message = exc.args[0] if exc.args else exc
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        return f"{message} (kbfix runs signatures on RE2: no look-arounds or back-references; use \\z, not \\Z)"
    return None


def _parse(pattern: str):
    try:
        from re import _constants as c, _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as c  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        return c, parser.parse(pattern, re.M)
    except re.error:
        return c, None


def _literal_alternatives(c, items) -> tuple[str, ...] | None:
    """``a|bc|d\\w*e`` as the text each branch starts with ('a', 'bc', 'd'); None when a branch starts
    with something that is not text (then nothing can be said of what stands there)."""
    if len(items) == 1 and items[0][0] is c.SUBPATTERN:
        return _literal_alternatives(c, items[0][1][-1])
    if len(items) != 1 or items[0][0] is not c.BRANCH:
        return None
    out = []
    for branch in items[0][1][1]:
        start = []
        for op, av in branch:
            if op is not c.LITERAL:
                break
            start.append(chr(av))
        if not start:
            return None
        out.append("".join(start))
    return tuple(out)


ONE_CHAR = 1  # in a wording's runs: a class or ``.`` standing for exactly one character
MIXED = 2  # in a wording's runs: an alternation whose branches are not plain words (each says something)
MIXED_CAPTURED = 3  # the same inside a named group: what the signature is about (a value it captures)
SPACE = 4  # in a wording's runs: whitespace of any length (``\s+``, ``\s*``, `` +``): layout, not words
OPTIONAL_CHAR = 5  # one character that may be absent (`` `? ``, ``,?``, ``['"]?``): punctuation, not words
LAYOUT = (SPACE, OPTIONAL_CHAR)


class Captured(tuple):
    """Alternatives of plain words inside a named group (``(?P<kwarg>enable_lora|merge_weights)``): the
    values the signature is about, not two wordings of one message."""


class Repeat:
    """A repeat of one character class (``[\\w.]*``, ``\\S+``, ``\\d+``) in a wording: how far it can
    stretch in a text, so a fragment does not look for the next words past where the class stops."""

    __slots__ = ("_pattern", "captured")

    def __init__(self, source: str, captured: bool):
        self._pattern = re.compile(f"(?:{source})*")
        self.captured = captured  # inside a named group: part of the value the signature is about

    def reach(self, text: str, pos: int) -> int:
        return self._pattern.match(text, pos).end()


_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


def _one_char_source(c, op, av) -> str | None:
    """The regex of an item that stands for one character (a class, ``.``, a letter), or None."""
    if op is c.LITERAL:
        return re.escape(chr(av))
    if op is c.NOT_LITERAL:
        return f"[^{re.escape(chr(av))}]"
    if op is c.ANY:
        return "[^\n]"
    if op is not c.IN:
        return None
    parts = []
    for kind, value in av:
        if kind is c.NEGATE:
            parts.append("^")
        elif kind is c.LITERAL:
            parts.append(re.escape(chr(value)))
        elif kind is c.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif kind is c.CATEGORY and str(value) in _CATEGORIES:
            parts.append(_CATEGORIES[str(value)])
        else:
            return None
    return f"[{''.join(parts)}]"


class CapturedText(str):
    """Words inside a named group (``(?P<repo>\\S*gguf\\S*)``): part of the value the signature is
    about, not of the message's frame."""


def _runs(pattern: str) -> list:
    """The top-level sequence of ``pattern``: literal runs (str), alternations of plain words (a tuple of
    them; :class:`Captured` inside a named group), ``ONE_CHAR`` where one class or ``.`` stands,
    ``MIXED`` (``MIXED_CAPTURED`` inside a named group) where an alternation of other branches stands,
    and None where anything else (a repeat, a class repeated) stands. Groups are read through."""
    c, tree = _parse(pattern)
    return [] if tree is None else _runs_of(c, tree)


def _runs_of(c, items) -> list:
    runs: list = []

    def walk(items, captured: bool = False) -> None:
        current: list[str] = []
        for op, av in items:
            if op is c.LITERAL:
                current.append(chr(av))
                continue
            if current:
                runs.append(CapturedText("".join(current)) if captured else "".join(current))
                current = []
            if op is c.SUBPATTERN:
                named = captured or av[0] is not None
                words = _literal_alternatives(c, av[-1])
                if words is not None:
                    runs.append(Captured(words) if named else words)
                else:
                    walk(av[-1], named)
            elif op is c.BRANCH:
                words = _literal_alternatives(c, [(op, av)])
                if words is not None:
                    runs.append(Captured(words) if captured else words)
                else:
                    runs.append(MIXED_CAPTURED if captured else MIXED)
            elif op in (c.IN, c.ANY):
                runs.append(ONE_CHAR)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and (repeated := _repeat_run(c, av, captured)) is not None:
                runs.append(repeated)
            elif op not in (c.AT,):
                runs.append(None)
        if current:
            runs.append(CapturedText("".join(current)) if captured else "".join(current))

    walk(items)
    return runs


def _repeat_run(c, repeat, captured: bool):
    """What a repeat of one item is in a wording's runs: SPACE for whitespace only, OPTIONAL_CHAR for one
    character that may be absent, a :class:`Repeat` for a class repeated (a count, a name); else None
    (a repeat of a group: anything may stand there)."""
    low, high, items = repeat
    items = list(items)
    if len(items) != 1:
        return None
    op, av = items[0]
    if op is c.LITERAL and chr(av).isspace() or op is c.IN and all(
            kind is c.CATEGORY and value is c.CATEGORY_SPACE or kind is c.LITERAL and chr(value).isspace()
            for kind, value in av):
        return SPACE
    if low == 0 and high == 1 and op in (c.LITERAL, c.IN):
        return OPTIONAL_CHAR
    source = _one_char_source(c, op, av)
    return Repeat(source, captured) if source is not None else None


@lru_cache(maxsize=None)
def _branch_runs(pattern: str) -> tuple[tuple, ...] | None:
    """For a pattern that is one alternation (``a b|c d``, perhaps in a group), each branch's wording (its
    runs, as :func:`_runs` reads a pattern); None when the pattern is not one alternation. A group around the
    whole alternation names the message, not a value in it: a branch's runs are captured only inside its own
    named groups."""
    c, tree = _parse(pattern)
    if tree is None:
        return None
    items = list(tree)
    while len(items) == 1 and items[0][0] is c.SUBPATTERN:
        items = list(items[0][1][-1])
    if len(items) != 1 or items[0][0] is not c.BRANCH:
        return None
    return tuple(tuple(_runs_of(c, branch)) for branch in items[0][1][1])


def branch_words(pattern: str | None, fragments: bool = False) -> tuple[str, ...] | None:
    """For a pattern that is one alternation (``a b|c d``, perhaps in a group), one lowercased word
    (4+ characters) per branch that every match of that branch holds: every match holds one of them.
    None when the pattern is not one alternation or a branch holds no such word. ``fragments``: for a
    branch that may fire as a fragment (:func:`_fragment`), the start of its first words (8+ characters)
    instead, which a message cut anywhere after them still holds."""
    branches = _branch_runs(pattern) if pattern else None
    if branches is None:
        return None
    words = []
    for runs in branches:
        literal = [r.lower() for r in runs if isinstance(r, str) and len(r.strip()) >= 4]
        if not literal:
            return None
        first = next((r for r in runs if isinstance(r, str) and r.strip()), "")
        if fragments and _wording_chars(runs) >= MIN_FRAGMENT_CHARS and first == runs[0] and len(first.strip()) >= 8:
            words.append(first.lower()[:FRAGMENT_PREFIX].strip())
        else:
            words.append(max(literal, key=len))
    return tuple(sorted(set(words)))


def required_literals(pattern: str | None) -> tuple[str, ...]:
    """Lowercased literal runs (4+ chars) that every match of ``pattern`` must contain.

    Read from the regex's parse tree: only top-level literal runs (and those of plain groups) count;
    anything under an alternation or a repeat is optional and breaks the run. Used to skip a
    signature cheaply when its words are not in the log.
    """
    if not pattern:
        return ()
    return tuple(sorted({r.lower() for r in _runs(pattern) if isinstance(r, str) and len(r.strip()) >= 4}))


BUILTIN_EXCEPTIONS = frozenset(name for name, value in vars(builtins).items()
                                if isinstance(value, type) and issubclass(value, BaseException))
FRAGMENT_PREFIX = 12  # characters of a one-run wording the literal prefilter asks for


@lru_cache(maxsize=None)
def _fragment_needs(pattern: str) -> tuple[str, ...] | None:
    """The literal runs (lowercased, split at quotes, 4+ characters) that every fragment of ``pattern``'s
    wording (:func:`_fragment_of`) shows whole: a fragment covers at least MIN_FRAGMENT_CHARS and
    MIN_FRAGMENT_SHARE of the wording's characters (less what is not literal), and only the run it was cut
    in may be partial, so every run that ends before that much of the wording is there whole. A message cut
    in its last third ("... requires Acc") keeps these and loses the runs after them; the run where that much is
    reached shows at least its start. None when no fragment of the wording can cover that much."""
    runs = _wording(pattern)
    total = _wording_chars(runs)
    variable = sum(_item_chars(r) for r in runs if not isinstance(r, str))
    least = max(MIN_FRAGMENT_CHARS, MIN_FRAGMENT_SHARE * (total - variable))
    needed, reached = [], 0
    for run in runs:
        # what _fragment_of counts as covered: literal runs and alternatives of words, not layout or classes
        before, reached = reached, reached + (len(run) if isinstance(run, str) else VARIABLE_ITEM_CHARS
                                              if isinstance(run, tuple) else 0)
        if isinstance(run, str):
            # the run the wording was cut in still shows what the fragment needed of it
            shown = run if reached < least else run[:math.ceil(least - before)]
            needed += [piece.lower().strip() for piece in QUOTES_RE.split(shown) if len(piece.strip()) >= 4]
        if reached >= least:
            return tuple(needed)
    return None  # the words can never cover that much: no fragment, the whole wording decides


def _exception_bound(sig: Signature) -> bool:
    """Judged on an error's exception (its type, message or frames), not on the whole log's text."""
    return sig.message is not None or sig.exception is not None or bool(sig.frames)


def signature_literals(sig: Signature) -> tuple[str | tuple[str, ...], ...]:
    """What the log must contain for ``sig`` to fire at any level: words (str), and groups of words of
    which it must contain one (a tuple: a pattern that is one alternation). The exception type is
    not one: a paste may lack the exception line. A wording long enough to fire as a fragment
    (:func:`_fragment`) whose first literal run has 8+ characters needs only that run's start: a message
    may be cut anywhere after it, and the fragment itself checks that what is there follows the wording
    run by run. Any other wording needs its literal runs but the last (a message cut inside its last
    run, or a wrapped or rendered paste, may have changed it), and its first run's start when that run
    has 8+ characters."""
    # a message retyped without its quotes still fires (:func:`unquoted`): the words between them are asked for
    runs = [piece for r in _runs(sig.message) if isinstance(r, str) for piece in QUOTES_RE.split(r)] if sig.message else []
    runs = [r for r in runs if r]
    needed = [r.lower() for r in runs if len(r.strip()) >= 4][:-1]
    if runs and len(runs[0].strip()) >= 8:
        first = runs[0].lower()[:FRAGMENT_PREFIX].strip()
        needed = [first] if _can_fragment(sig.message) else [*needed, first]
    elif runs and _can_fragment(sig.message) and (shown := _fragment_needs(sig.message)) is not None:
        needed = list(shown)  # a short first run: the runs any fragment shows whole
    # A message wording that is one alternation fires as a fragment of one of its branches: a branch that can
    # asks for its first words' start. The context of a signature with a message (text, requires) is not
    # asked for: the message found without it is a near miss (the entry's own wording, and the context its
    # author wrote to tell it from look-alikes is absent), which holds retrieval alone below the line. A text
    # signature needs it all.
    groups = {words for p in ((sig.message,) if _exception_bound(sig) else (sig.text, *sig.requires))
              if (words := branch_words(p, fragments=p is sig.message)) is not None}
    context = () if sig.message is not None else (sig.text, *sig.requires)
    words = {*needed, *(lit for p in context for lit in required_literals(p))}
    if not _exception_bound(sig) and sig.text and (start := fragment_start(sig.text)) and len(start.strip()) >= 8:
        # a text signature fires as a fragment on a cut line (_match_text): its first run's start
        # is asked for instead of the words a cut may have taken
        words = {*needed, start.lower()[:FRAGMENT_PREFIX].strip(),
                 *(lit for p in sig.requires for lit in required_literals(p))}
    words = {w for w in words if not any(w != other and w in other for other in words)}  # the longer says it
    return (*sorted(words), *sorted(groups))


@dataclass(frozen=True)
class SignatureHit:
    """A signature that fired on the log: where, what it captured, and how fully it matched."""

    entry_id: str
    signature: Signature
    captures: dict[str, str]
    lines: tuple[int, ...]
    matched: str
    exc: Exc | None = None
    partial: bool = False  # a near miss: see match
    level: str = FULL
    evidence: tuple[Evidence, ...] = ()  # what the facts the signature required say (version facts)

    @property
    def weight(self) -> float:
        return self.signature.weight


def frame_strings(exc: Exc) -> list[str]:
    return [f"{f.filename.replace(chr(92), '/')}:{f.name}" for f in exc.frames]


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos)


def literal_plan(entries: tuple[Entry, ...], literals: dict[str, tuple[str, ...]]) -> tuple:
    """The signatures of ``entries`` grouped by one word each needs (its longest plain word in ``literals``), as
    ``(word or None, members)``; each member is ``(corpus order, entry, signature, its other words)``. A log that lacks
    a group's word rules the whole group out with one lookup instead of one per signature. A scorer builds it once."""
    groups: dict[str | None, list] = {}
    order = 0
    for entry in entries:
        for sig in entry.signatures:
            words = tuple(literals.get(f"{entry.id}/{sig.id}") or ())
            plain = [w for w in words if isinstance(w, str)]
            first = max(plain, key=len) if plain else None
            rest = tuple(w for w in words if w is not first) if first is not None else words
            groups.setdefault(first, []).append((order, entry, sig, rest))
            order += 1
    return tuple(groups.items())


class LogText:
    """The normalized log as signatures see it, searched once per pattern.

    A log with several errors is scored once per error, but a pattern over the whole log (``text``,
    ``unless``, ``requires``) has one answer per log: it is searched once and remembered. ``lower``
    is the copy the literal prefilter looks in; ``facts`` the key lists found in the log, analysed
    (:mod:`kbfix.engine.keys`), ``versions`` the version-skew facts (:mod:`kbfix.engine.skew`, read
    against the API history) and ``launched`` the launch facts (:mod:`kbfix.engine.launch`), each
    computed on first need.
    """

    def __init__(self, text: str, prefixes: tuple[str, ...] = ()):
        self.text = text[:MAX_SEARCH_CHARS]
        # the log prefixes the parser stripped (Ray's "(TaskRunner pid=0)", vLLM's "ERROR ... [engine.py:0]"): what
        # printed the error, which a signature's whole-log conditions may ask about (``search_context``)
        self.prefixes = "\n".join(prefixes)[:MAX_SEARCH_CHARS]
        self.lower = (self.text + "\n" + self.prefixes).lower() if self.prefixes else self.text.lower()
        self._found: dict[str, object] = {}
        self.scored: dict[tuple[int, int], tuple] = {}  # a scorer's dense-free work per error (features.Scorer)
        self._worth: dict[tuple[int, int, bool], list[tuple[Entry, Signature]]] = {}  # worth_trying's answers

    @classmethod
    def of(cls, log: Log) -> "LogText":
        return cls(log.text, log.prefixes)

    def search(self, pattern: str):
        if pattern not in self._found:
            self._found[pattern] = rx(pattern).search(self.text)
        return self._found[pattern]

    def search_context(self, pattern: str) -> bool:
        """A whole-log condition (``requires``, ``unless``): the pattern in the log's lines or in the prefixes
        stripped from them."""
        return bool(self.search(pattern) or self.prefixes and rx(pattern).search(self.prefixes))

    @cached_property
    def cut_lines(self) -> tuple[tuple[int, str], ...]:
        """The lines a paste may have cut off, with their line numbers: the last line that holds words,
        and every line that ends in an elision (``...``, ``…``, ``。。``) or stands before a line that is
        one. (An elision inside a line, such as a path shortened to ``models/(...)``, cuts nothing.)"""
        every = self.text.rstrip().split("\n")
        lines = every[-MAX_CUT_LINES_SCANNED:]
        first = len(every) - len(lines)
        found = [(first + i, line) for i, line in enumerate(lines)
                 if ELISION_END_RE.search(line) or i + 1 < len(lines) and ELISION_LINE_RE.match(lines[i + 1])]
        if lines and lines[-1].strip():
            found.append((first + len(lines) - 1, lines[-1]))
        found = [(i, cut) for i, line in found
                 if (cut := ELISION_END_RE.sub("", line)).strip() and not ELISION_SPLIT_RE.search(cut)]
        return tuple(found[-MAX_CUT_LINES:])

    @cached_property
    def flat(self) -> str:
        """The log as one line, without Markdown bold (for messages wrapped or bolded in a paste)."""
        return _flat(self.text)

    @cached_property
    def flat_lower(self) -> str:
        return self.flat.lower()

    def worth_trying(self, entries: tuple[Entry, ...], plan: tuple | None, flat: bool) -> list[tuple[Entry, Signature]]:
        """The signatures whose words the log holds (:func:`literal_plan` of ``entries``; all of them without one): the
        same for every candidate error of the log, so worked out once per log."""
        key = (id(entries), id(plan), flat)
        found = self._worth.get(key)
        if found is None:
            if plan is None:
                found = [(entry, sig) for entry in entries for sig in entry.signatures]
            else:
                found = self._holding(plan, flat)
            self._worth[key] = found
        return found

    def _holding(self, plan: tuple, flat: bool) -> list[tuple[Entry, Signature]]:
        """The signatures of ``plan`` (:func:`literal_plan`) whose every word the log holds, in corpus order."""
        known: dict[str, bool] = {}  # signatures share many words: each is looked for once

        def has(word: str) -> bool:
            held = known.get(word)
            if held is None:
                held = known[word] = self.has(word, flat)
            return held

        kept: list[tuple[int, Entry, Signature]] = []
        for first, members in plan:
            if first is not None and not has(first):
                continue  # one word all of them need is absent: none of them is tried further
            for order, entry, sig, rest in members:
                if all(has(word) if isinstance(word, str) else any(has(w) for w in word) for word in rest):
                    kept.append((order, entry, sig))
        kept.sort(key=lambda item: item[0])
        return [(entry, sig) for _, entry, sig in kept]

    def has(self, word: str, flat: bool = False) -> bool:
        """Whether the lowercased log holds ``word`` (with ``flat``: also across wraps and bold)."""
        return word in self.lower or flat and word in self.flat_lower

    def line_of_flat(self, found: str) -> int:
        """The line of the log where a match in :attr:`flat` starts (its first words)."""
        words = found.split()[:3]
        pos = self.text.find(words[0]) if words else -1
        return _line_of(self.text, pos) if pos >= 0 else 0

    @cached_property
    def facts(self) -> keys.Facts:
        from kbfix.engine import keys

        return keys.analyse(keys.read(self.text))

    @cached_property
    def versions(self) -> skew.VersionFacts:
        from kbfix.engine import skew

        return skew.VersionFacts(self.text)

    @cached_property
    def launched(self) -> launch.LaunchFacts:
        from kbfix.engine import launch

        return launch.analyse(self.text)

    def fact(self, name: str) -> keys.Facts | skew.VersionFacts | launch.LaunchFacts:
        """The analysis that decides a fact: version and launch facts by their names, key-list facts
        otherwise."""
        from kbfix.engine import launch, skew

        if name in skew.FACTS:
            return self.versions
        return self.launched if name in launch.FACTS else self.facts


def _version_evidence(sig: Signature, log: LogText) -> tuple[Evidence, ...]:
    if not sig.facts and not sig.informs:
        return ()
    from kbfix.engine import skew

    names = tuple(n for n in sig.facts if n in skew.FACTS) + _informing(sig, log, skew.FACTS)
    return log.versions.evidence(names) if names else ()


def _informing(sig: Signature, log: LogText, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The signature's ``informs`` facts that hold (of those ``among``, when given)."""
    return tuple(n for n in sig.informs if (among is None or n in among) and log.fact(n).holds(n))


def _cut_exclusion(sig: Signature, cut: str) -> bool:
    """An exclusion the cut may have hidden: an ``unless`` wording whose start the cut text shows (the
    words that would have told the look-alike apart are gone with the rest of the line)."""
    return any(_fragment(p, cut, least=MIN_EXCLUSION_CHARS, share=0.0, values_after=True) is not None
               for p in sig.unless)


def _blocked(sig: Signature, log: LogText, message: str = "") -> bool:
    if any(log.fact(name).holds(name) for name in sig.unless_facts):
        return True
    return any(log.search_context(p) or (message and rx(p).search(message[:MAX_SEARCH_CHARS])) for p in sig.unless)


def _conditions_hold(sig: Signature, log: LogText) -> bool:
    """The whole-log conditions: every ``requires`` regex (a fact's absence is no evidence against:
    see :func:`_facts_hold`)."""
    return all(log.search_context(p) for p in sig.requires)


def _facts_hold(sig: Signature, log: LogText) -> bool:
    """Every fact the signature needs. A fact that does not hold only means the lists in the paste do
    not show it (they may be cut off): the signature does not fire, and it is no near miss either;
    ``unless_facts`` are the facts that speak against the entry."""
    return all(log.fact(name).holds(name) for name in sig.facts)


def _where_holds(sig: Signature, captures: dict[str, str]) -> bool:
    return all(rx(pattern).fullmatch(captures.get(name, "")) for name, pattern in sig.where.items())


_MEMORY_SIZE = re.compile(r"(\d+(?:\.\d+)?) (B|bytes|KiB|MiB|GiB|TiB)")
_MEMORY_UNITS = {"B": 1, "bytes": 1, "KiB": 2 ** 10, "MiB": 2 ** 20, "GiB": 2 ** 30, "TiB": 2 ** 40}


def _memory_bytes(value: str | None) -> float | None:
    m = _MEMORY_SIZE.fullmatch(value or "")
    return float(m.group(1)) * _MEMORY_UNITS[m.group(2)] if m else None


def contradicted(captures: dict[str, str]) -> bool:
    """An entry about a difference whose own captures show none: ``ckpt_X`` equals ``model_X``
    (a vocabulary mismatch with as many rows on both sides is some other mismatch); or an
    allocation failure whose own message shows the device had far more memory ``free`` than the
    ``size`` asked for (torch's caching allocator reads the free figure from the driver after
    releasing its cache: a refusal beside many free GiB is not the device being full)."""
    if any(value and captures.get("model_" + name[5:]) == value
           for name, value in captures.items() if name.startswith("ckpt_")):
        return True
    size, free = _memory_bytes(captures.get("size")), _memory_bytes(captures.get("free"))
    return size is not None and free is not None and free >= 4 * size and free - size >= 2 * 2 ** 30


def _fact_captures(sig: Signature, log: LogText) -> dict[str, str]:
    caps: dict[str, str] = {}
    for name in sig.facts + _informing(sig, log):
        caps.update(log.fact(name).found.get(name, {}))
    return caps


def match(entries: tuple[Entry, ...], trace: Trace | None, log: Log, text: LogText | None = None,
          literals: dict[str, tuple[str, ...]] | None = None, plan: tuple | None = None) -> list[SignatureHit]:
    """Signature hits for one candidate error (exception signatures) and the whole log (text-only
    signatures).

    ``literals`` maps "entry/signature" to the words the signature cannot match without; a signature
    whose words are missing from the lowercased log is skipped uncompiled. ``plan``: the same words as
    :func:`literal_plan` grouped them (a scorer passes its own, built once, instead of ``literals``).
    """
    if plan is None and literals is not None:
        plan = literal_plan(entries, literals)
    text = text if text is not None else LogText.of(log)
    headless = trace is None or not any(exc.type for exc in trace.exceptions)
    # a message wrapped over lines, bolded or without its exception line is matched with its layout
    # taken out (_match_exception): the prefilter looks for its words the same way
    flat = headless or any("\n" in exc.message or "**" in exc.message or not exc.type for exc in trace.exceptions)
    hits: list[SignatureHit] = []
    for entry, sig in text.worth_trying(entries, plan, flat):
        if not _exception_bound(sig):
            hit = _match_text(entry.id, sig, text)
        elif trace is not None:
            hit = _match_exception(entry.id, sig, trace, text)
            if (hit is None or hit.partial or hit.level == FRAGMENT) and not any(exc.type for exc in trace.exceptions):
                # a headless error is a guess at which line holds the message; the whole message
                # may stand on other lines of the paste
                whole = _match_message_in_log(entry.id, sig, text)
                hit = whole if whole is not None and (hit is None or not whole.partial) else hit
        else:
            hit = _match_message_in_log(entry.id, sig, text)
        if hit is not None:
            hits.append(hit)
    return _ambiguous_fragments(hits, entries)


def _ambiguous_fragments(hits: list[SignatureHit], entries: tuple[Entry, ...]) -> list[SignatureHit]:
    """A message cut before two entries' wordings part ("You can't train a model that has been loaded in
    8-bit prec": on multiple devices, or with CPU or disk offload?) is a fragment of both: it cannot tell
    them apart, and each of those hits is a near miss. A signature whose frames or context also held says
    more than the cut words and stands; so does the entry the others refine (the general cause is right
    whichever specific one it was)."""
    bare = [h for h in hits if h.level == FRAGMENT and not h.partial
            and not (h.signature.frames or h.signature.text or h.signature.requires)]
    groups: dict[tuple, set[str]] = {}
    for h in bare:
        groups.setdefault(_cut_place(h), set()).add(h.entry_id)
    if all(len(ids) < 2 for ids in groups.values()):
        return hits  # (the common case: no cut message, or one entry's wording)
    refines = {e.id: set(e.refines) for e in entries}
    undecided = {(place, i) for place, ids in groups.items() if len(ids) > 1 for i in ids
                 if not all(j == i or i in refines.get(j, ()) for j in ids)}
    if not undecided:
        return hits
    return [replace(h, partial=True) if h.level == FRAGMENT and (_cut_place(h), h.entry_id) in undecided else h
            for h in hits]


def _cut_place(hit: SignatureHit) -> tuple:
    """Where a fragment hit was found: its error (by identity: a chain may repeat one message) and lines."""
    return id(hit.exc), hit.lines


def _match_text(entry_id: str, sig: Signature, text: LogText) -> SignatureHit | None:
    """A text signature on the whole log, or a fragment of it on a log line the paste cut off (its last
    line, or one that ends in ``...``) when every condition holds (a cut line proves too little to count
    against the entry when one does not)."""
    m = text.search(sig.text)
    if m:
        line, found, cut = _line_of(text.text, m.start()), m.group(0), None
        caps = {k: v for k, v in m.groupdict().items() if v is not None}
    elif (fragment := _cut_line_fragment(sig, text)) is not None:
        (line, found, cut), caps = fragment, {}
    else:
        return None
    if not _facts_hold(sig, text):
        return None
    caps.update(_fact_captures(sig, text))
    if not _conditions_hold(sig, text):
        return None
    near = _blocked(sig, text) or contradicted(caps) or not _where_holds(sig, caps)
    if cut is not None and (near or _cut_exclusion(sig, cut)):
        return None
    return SignatureHit(entry_id, sig, caps, (line,), found, partial=near, level=FULL if cut is None else FRAGMENT,
                        evidence=_version_evidence(sig, text))


def _cut_line_fragment(sig: Signature, text: LogText) -> tuple[int, str, str] | None:
    """The first cut line that starts the signature's wording: (line, the fragment, the cut line)."""
    start = fragment_start(sig.text)
    if start is None:
        return None
    for line, body in text.cut_lines:
        if start[:FRAGMENT_PREFIX] not in body:
            continue  # (without its first words no line can be a cut of the wording: the regex is not read)
        fragment = _fragment(sig.text, body)
        if fragment is not None:
            return line, fragment, body
    return None


def _match_message_in_log(entry_id: str, sig: Signature, text: LogText) -> SignatureHit | None:
    """No error was found in the log at all: a signature's message anywhere in it is a loose hit (a
    paste of a message in a form the parser does not know). Frames cannot be judged: such signatures
    do not fire."""
    if sig.message is None or sig.frames:
        return None
    m = rx(sig.message).search(text.text)
    line = _line_of(text.text, m.start()) if m else 0
    if m is None:  # wrapped over lines or bolded in Markdown, or retyped without its quotes
        bare = unquoted(sig.message)
        m = rx(sig.message).search(text.flat) or (_retyped(rx(bare).search(text.flat)) if bare else None)
        line = text.line_of_flat(m.group(0)) if m else 0
    if not m or not _facts_hold(sig, text):
        return None
    caps = {k: v for k, v in m.groupdict().items() if v is not None}
    caps.update(_fact_captures(sig, text))
    if sig.text is not None and text.search(sig.text) is None or not _conditions_hold(sig, text):
        return None
    near = _blocked(sig, text) or contradicted(caps) or not _where_holds(sig, caps)
    return SignatureHit(entry_id, sig, caps, (line,), m.group(0), partial=near, level=LOOSE,
                        evidence=_version_evidence(sig, text))


def _type_matches(sig: Signature, exc: Exc) -> bool:
    return sig.exception is None or bool(rx(sig.exception).fullmatch(exc.type) or rx(sig.exception).fullmatch(exc.short_type))


# a sentence in Chinese, Japanese or Korean typed right after a message (Latin text, then "というエラーが出ました",
# "라는 에러가 발생했습니다", "报错了"): from the first such character on its last line
GLUED_PROSE_RE = re.compile(r"(?<=[!-~])[ ]?[\u3000-\u303f\uff01-\uff60\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af][^\n]*\Z")


@lru_cache(maxsize=256)
def _without_glued_prose(message: str) -> str | None:
    """The message without a sentence in another script glued after it on its last line, or None when none is
    (a message pattern that ends the message, ``...error!?\\s*$``, fails on the glued words)."""
    if message.isascii():
        return None
    found = GLUED_PROSE_RE.search(message)
    return message[:found.start()] if found else None


@lru_cache(maxsize=None)
def _wordless(message: str) -> bool:
    """A message pattern that matches the empty message ('.*', '^$'): the signature is its exception type and
    frames, and without that type it says nothing (no loose hit, no near miss on every other error)."""
    return rx(message).match("") is not None


# The raising frame's source line when it is one call with one string literal: `raise Exception("Could not find
# the transformer layer class to wrap in the model.")`. An f-string counts only without a placeholder.
RAISE_LITERAL_RE = re.compile(r"""^\s*raise\s+[\w.]+\(\s*(?P<literal>[rRuU]?(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|"""
                              r"""[fF](?:"[^"{}\\]*"|'[^'{}\\]*'))\s*\)\s*$""")
MAX_RAISE_LINE = 4000  # a source line longer than this is no library's raise line: not read


def raised_message(exc: Exc) -> str | None:
    """The whole message of an error whose paste cut its exception line short, as the library's own raise line
    above it spells it ("Exception: Could not find the transformer layer clas" under `raise Exception("Could not
    find the transformer layer class to wrap in the model.")`); None when the raise line is no single literal or
    does not go on from what the paste shows."""
    shown = exc.message.strip()
    line = exc.frames[-1].line if exc.frames else ""
    if "raise" not in line or len(line) > MAX_RAISE_LINE or not shown or "\n" in shown:
        return None
    whole = _raise_literal(line)
    return whole if whole is not None and len(whole) > len(shown) and whole.startswith(shown) else None


@lru_cache(maxsize=1024)
def _raise_literal(line: str) -> str | None:
    """The string a raise line raises with, when it is one literal (parsed once per line: every signature tried
    on the error asks; raised_message passes lines of at most MAX_RAISE_LINE characters, so the cache stays small)."""
    if (found := RAISE_LITERAL_RE.match(line)) is None:
        return None
    literal = found.group("literal")
    try:
        whole = ast.literal_eval(literal[1:] if literal[0] in "fF" else literal)
    except (ValueError, SyntaxError):
        return None
    return whole if isinstance(whole, str) else None


def _match_exception(entry_id: str, sig: Signature, trace: Trace, text: LogText) -> SignatureHit | None:
    # facts are decided once the wording has matched: version facts read the API history
    facts_ok: bool | None = None
    text_m = text.search(sig.text) if sig.text is not None else None
    best: SignatureHit | None = None
    near: SignatureHit | None = None
    for exc in reversed(trace.exceptions):
        typed = _type_matches(sig, exc)
        if not typed and (sig.message is None or exc.type and sig.exception is None or _wordless(sig.message)):
            continue
        msg_m = None
        diverges = False
        message = exc.message  # what the exclusions read: the raise line's whole message where it stood in
        level = FULL if typed and exc.type else LOOSE
        if sig.message is not None:
            msg_m = rx(sig.message).search(exc.message[:MAX_SEARCH_CHARS])
            if msg_m is None and (said := _without_glued_prose(exc.message[:MAX_SEARCH_CHARS])) is not None:
                msg_m = rx(sig.message).search(said)  # the message with the sentence glued after it taken off
            if msg_m is None and ("\n" in exc.message or "**" in exc.message or not exc.type):
                # a message wrapped over lines, bolded in Markdown, or retyped (a body without its
                # exception line): its words with the layout taken out
                flat = _flat(exc.message[:MAX_SEARCH_CHARS])
                msg_m = rx(sig.message).search(flat) or (rx_folded(sig.message).search(flat) if not exc.type else None)
            if msg_m is None and (bare := unquoted(sig.message)):
                # retyped without the quotes Python prints around names: never a full hit
                msg_m = _retyped(rx(bare).search(_flat(exc.message[:MAX_SEARCH_CHARS])))
                level = LOOSE if msg_m is not None else level
            if msg_m is None and (whole := raised_message(exc)) is not None:
                # a message cut short whose raise line above spells it whole: that line is the message
                msg_m = rx(sig.message).search(whole[:MAX_SEARCH_CHARS])
                message = whole if msg_m is not None else message
            if msg_m is None:
                fragment = _fragment(sig.message, exc.message[:MAX_SEARCH_CHARS]) if typed or not exc.type else None
                if fragment is None:
                    if not (typed and exc.type and exc.short_type not in BUILTIN_EXCEPTIONS
                            and exc.message.rstrip().endswith((".", "!", "?"))):
                        continue  # (a message without its full stop may be this wording cut short)
                    # a library's own exception class that the signature names, with another whole message: some
                    # other error of that class (soundfile's "System error." for a path, not "Format not recognised"),
                    # evidence against the entry, as a near miss
                    diverges, level, matched_text = True, LOOSE, exc.type
                else:
                    level, matched_text = FRAGMENT, fragment
        elif not exc.type:
            continue  # an exception type and frames alone cannot be judged without the exception line
        if facts_ok is None:
            facts_ok = _facts_hold(sig, text)
        if not facts_ok:
            return None
        caps: dict[str, str] = {}
        lines = [exc.line]
        for m in (text_m, msg_m):
            if m is not None:
                caps.update({k: v for k, v in m.groupdict().items() if v is not None})
        caps.update(_fact_captures(sig, text))
        if text_m is not None:
            lines.append(_line_of(text.text, text_m.start()))
        matched = msg_m.group(0) if msg_m else (matched_text if level == FRAGMENT else (text_m.group(0) if text_m else exc.type))
        hit = SignatureHit(entry_id, sig, caps, tuple(sorted(set(lines))), matched, exc, level=level,
                           evidence=_version_evidence(sig, text))
        if sig.frames and not exc.frames and not exc.type:
            continue  # a message body pasted alone says nothing of frames
        # The author made a generic wording specific with frames or whole-log context: when the log
        # does not show them, the entry is not confirmed, and retrieval must not confirm it instead
        # (a near miss caps it). Key-list facts that do not show are neutral (_facts_hold).
        frames_ok = not sig.frames or all(any(rx(p).search(f) for f in frame_strings(exc)) for p in sig.frames)
        context_ok = (sig.text is None or text_m is not None) and _conditions_hold(sig, text)
        against = (diverges or not frames_ok or not context_ok or _blocked(sig, text, message) or contradicted(caps)
                   or not _where_holds(sig, caps) or level == FRAGMENT and _cut_exclusion(sig, exc.message))
        if not against:
            if best is None or _rank(hit.level) > _rank(best.level):
                best = hit
            if level == FULL:
                return hit
            continue
        if near is None and level != FRAGMENT:
            near = replace(hit, partial=True)  # the wording matched and something in the log rules it out
    return best or near


def _rank(level: str) -> int:
    return {FRAGMENT: 0, LOOSE: 1, FULL: 2}[level]


@lru_cache(maxsize=4096)
def _wording(pattern: str) -> tuple[str | None, ...]:
    return tuple(_runs(pattern))


def _item_chars(item) -> int:
    """What one item of a wording says: its literal characters; one for layout (whitespace, a
    character that may be absent); VARIABLE_ITEM_CHARS for a class, alternation or repeat (a list of
    alternatives carries information a fragment cannot show)."""
    return len(item) if isinstance(item, str) else 1 if item in LAYOUT else VARIABLE_ITEM_CHARS


def _wording_chars(runs) -> int:
    return sum(_item_chars(r) for r in runs)


def _can_fragment(pattern: str) -> bool:
    return _wording_chars(_wording(pattern)) >= MIN_FRAGMENT_CHARS


def _reach(variables: list, body: str, pos: int) -> int | None:
    """How far the variable part since the last words found can stretch from ``pos``: known when it is
    one class repeated (whitespace after it allowed), else None (anything may stand there)."""
    if not variables or not isinstance(variables[0], Repeat) or any(v is not SPACE for v in variables[1:]):
        return None
    end = variables[0].reach(body, pos)
    while len(variables) > 1 and end < len(body) and body[end].isspace():
        end += 1
    return end


def _after_layout(body: str, pos: int, spaces: bool, optional: int) -> list[int]:
    """Where a wording may go on after layout at ``pos``: whitespace skipped (when the wording allows
    any there) and up to ``optional`` characters that may be absent taken or not."""
    found: set[int] = set()
    frontier = [(pos, optional)]
    while frontier:
        at, left = frontier.pop()
        while spaces and at < len(body) and body[at].isspace():
            at += 1
        found.add(at)
        if left and at < len(body):
            frontier.append((at + 1, left - 1))
    return sorted(found)


def _fragment(pattern: str, message: str, least: int = MIN_FRAGMENT_CHARS, share: float = MIN_FRAGMENT_SHARE,
              values_after: bool = False) -> str | None:
    """The start of the signature's wording found in a message that was cut off, or None.

    The pattern's literal runs are looked for in order; the message must end (or reach an elision:
    ``...``, ``。。。``) soon after the last run found, inside the next run, or anywhere inside a class
    or repeat that follows it (a long list of keys cut off; a repeated class such as ``[\\w.]*`` only as
    far as the class reaches), and what was found must cover at least half the wording's literal
    characters and 24 of them (whitespace and characters that may be absent count one each: layout).
    Classes, repeats and alternatives after the cut are not counted against it: what they would have
    matched (a count, a key's name) is gone with the cut, not missing; words or values inside a named
    group after the cut are what the signature is about, and their loss fires nothing. ``least``,
    ``share`` and ``values_after`` loosen this for exclusions (:func:`_cut_exclusion`). A wording that is
    one alternation of whole messages (``(?P<reason>A ...|B ...)``) is cut from one of them: each branch
    long enough is tried as a wording of its own. Linear in the message (times the branches).
    """
    runs = _wording(pattern)
    body = ELISION_SPLIT_RE.split(message, maxsplit=1)[0].rstrip()
    if _wording_chars(runs) < least:
        # a wording that is one alternation of whole messages: a cut one of them
        branches = _branch_runs(pattern) or ()
        return next((found for branch in branches
                     if _wording_chars(branch) >= least
                     and (found := _fragment_of(branch, body, pattern.startswith("^"), least, share, values_after))),
                    None)
    return _fragment_of(runs, body, pattern.startswith("^"), least, share, values_after)


def _fragment_of(runs: tuple, body: str, anchored: bool, least: int, share: float, values_after: bool) -> str | None:
    """:func:`_fragment` for one wording's runs (not empty, ``least`` characters or more)."""
    total = _wording_chars(runs)
    pos, covered, start, after_variable = 0, 0, None, False
    exact = False  # the next run must start right here (after a one-character class), or after layout
    spaces, optional = False, 0  # layout since the last run: whitespace, characters that may be absent
    passed_mixed = False
    named_words = False  # words of a named group shown (an alternative it captures, its literal text)
    variables: list = []  # what stood between the last run found and here, when a variable did
    for index, item in enumerate(runs):  # (runs is not empty: its total passed the check above)
        if item is None or item is MIXED or item is MIXED_CAPTURED or isinstance(item, Repeat):
            if spaces and exact:
                pos = _after_layout(body, pos, True, 0)[0]  # the whitespace before the variable part
            after_variable, exact = start is not None, False
            spaces, optional = False, 0
            passed_mixed = passed_mixed or (item is not None and not isinstance(item, Repeat) and start is not None)
            variables.append(item)
            continue
        if after_variable and not isinstance(item, str):
            variables.append(item)
        if isinstance(item, int) and item in LAYOUT:
            if start is not None and not after_variable:  # (after a repeat, where it stands is unknown)
                spaces, optional, exact = spaces or item is SPACE, optional + (item is OPTIONAL_CHAR), True
            continue
        starts = _after_layout(body, pos, spaces, optional) if exact else [pos]
        spaces, optional = False, 0
        if item is ONE_CHAR:
            if start is not None and not after_variable:
                pos = starts[0]
                if pos >= len(body):
                    break  # cut right before it
                pos += 1
                exact = True
            continue
        if isinstance(item, tuple):  # alternatives: the text there must begin like one of them
            pos = next((at for at in starts if any(body.startswith(w, at) for w in item)), starts[0])
            rest = body[pos:]
            word = next((w for w in item if rest.startswith(w)), None)
            if word is not None:
                named_words = named_words or isinstance(item, Captured)
                covered += VARIABLE_ITEM_CHARS
                pos += len(word)
                exact = False  # a branch may go on past the words it starts with
                continue
            if len(rest.strip()) < MIN_ALTERNATIVE_CHARS:
                # cut before the wording's own alternatives (the kwargs, the modules it is about) or a letter
                # or two into them: what is left is the generic frame of many messages
                return None
            if rest and len(rest) <= MAX_FRAGMENT_TAIL and any(w.startswith(rest) for w in item):
                break  # cut inside one of the alternatives
            if rest.strip():
                return None  # something else stands where the wording names its alternatives
            break
        at = body.find(item, pos)
        reach = _reach(variables, body, pos) if after_variable else None
        if reach is not None and at > reach:
            at = -1  # the class before it stops earlier: these words elsewhere are not the wording going on
        if exact and at not in starts:
            rest = next((body[at:] for at in starts if item.startswith(body[at:])), None)
            if rest is None:
                return None  # another word stands where the wording goes on: another message, not a cut one
            covered += len(rest)
            break
        exact = False
        if at >= 0:
            start = at if start is None else start
            named_words = named_words or isinstance(item, CapturedText)
            covered += len(item)
            pos = at + len(item)
            after_variable, variables = False, []
            # a literal run right after it (a group's words, as in "header: (?P<reason>Invalid...)") must
            # go on from here: other words there are another message, not this one cut off
            exact = index + 1 < len(runs) and isinstance(runs[index + 1], str)
            continue
        rest = body[pos:]
        if len(rest) > MAX_FRAGMENT_TAIL and not after_variable:
            return None  # a long text where the wording goes on: another message, not a cut one
        if reach is not None and body[reach:] and not item.startswith(body[reach:]):
            return None  # the class stopped and other words follow: a whole message, not a cut one
        if reach is not None and not body[reach:] and variables[0].captured and not isinstance(item, CapturedText):
            return None  # cut inside the value the signature is about, before the words that end it (a quote)
        # (after a class or repeat, such as a list of keys, the cut may come any distance later)
        cut = next((k for k in range(min(len(item), len(rest)), 0, -1) if rest.endswith(item[:k])), 0)
        if not cut and not after_variable and len(item) >= DIVERGE_CHARS and item[:DIVERGE_CHARS] in rest:
            return None  # the wording's next words start here and go on otherwise: another message, not a cut one
        if isinstance(item, CapturedText) and start is not None and not named_words and WORD_RE.search(item) \
                and not WORD_RE.search(item[:cut]):
            # cut before any word a named group is about shows (only a class of it, then a full stop taken for the
            # start of "._extra_state"): what is left does not say which message it was
            return None
        covered += cut
        if start is None and cut:
            start = pos + len(rest) - cut  # cut inside the wording's first words: the message ends with their start
        break
    else:
        return None  # every run is there: the regex failed for another reason than a cut
    if not values_after and (passed_mixed or any(isinstance(item, (Captured, CapturedText)) or item is MIXED_CAPTURED
                                                 for item in runs[index + 1:])):
        # the values this wording is about (the kwargs, the modules it names: alternatives in a named
        # group) come after the cut, or text before the cut stands unchecked (an alternation of branches
        # that are not plain words, such as the placeholder shapes it is about): what is checked is the
        # frame of a family of messages. Two wordings of the message after the cut ("present keys: ...|
        # dict: ") are not: the message was cut before it said which.
        return None
    unseen = sum(_item_chars(item) for item in runs[index + 1:] if not isinstance(item, str))  # after the cut
    if start is None or covered < least or covered < share * (total - unseen):
        return None
    if anchored and body[:start].strip():
        return None  # the wording starts the message ("^__init__() got ..."): here other words come first
    return body[start:]

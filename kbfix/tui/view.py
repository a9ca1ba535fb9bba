"""Pure functions from kbfix data to rich ``Text``: what the widgets draw. No Textual, no I/O.

Everything here is cheap to import (no numpy, no engine): the first paint must not wait for it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from kbfix import render
from kbfix import traceback as tb
from kbfix.model import Entry, Finding, Lang, Log, Match, Trace
from kbfix.search import libraries, search_entries  # noqa: F401 - the browser searches through view

BAR_WIDTH = 10
BLOCKS = " ▏▎▍▌▋▊▉█"
# role (kbfix.render) -> rich style: the TUI's looks for the renderer's words
STYLE = {"title": "bold green", "no-match": "bold yellow", "heading": "bold", "dim": "dim", "warning": "yellow",
         "error": "red", "safe": "bold green", "unsafe": "bold red", "display-only": "bold cyan",
         "against": "bold red", "id": "cyan", "command": ""}
MARK = "▶ "


def to_rich(lines: list[render.Line]) -> Text:
    """The renderer's styled lines as one rich Text."""
    text = Text()
    for i, line in enumerate(lines):
        if i:
            text.append("\n")
        for part, role in line:
            text.append(part, style=STYLE.get(role, ""))
    return text
MAX_EVIDENCE_LINES = 400


# --- matches ----------------------------------------------------------------------------------

def confidence_bar(confidence: float, threshold: float, width: int = BAR_WIDTH) -> Text:
    """A bar of ``width`` cells, eighths included: green when confident, yellow/red below."""
    confidence = max(0.0, min(1.0, confidence))
    eighths = round(confidence * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (BLOCKS[part] if part and full < width else "")
    style = "green" if confidence >= threshold else "yellow" if confidence >= threshold / 2 else "red"
    text = Text(bar, style=style)
    text.append("░" * (width - len(bar)), style="dim")
    text.append(f" {confidence:.2f}", style="bold" if confidence >= threshold else "dim")
    return text


def match_prompt(match: Match, lang: Lang, threshold: float, confident: bool) -> Text:
    """Two lines for the ranked list: the id; then the bar, the confidence and the title."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if confident:
        text.append(match.entry.id, style="bold")
    else:
        text.append("? ", style="bold yellow")
        text.append(match.entry.id)
    text.append("\n")
    text.append_text(confidence_bar(match.confidence, threshold, width=6))
    text.append(" ")
    text.append(match.entry.title.get(lang), style="" if confident else "dim")
    return text


def error_line(trace: Trace | None, lang: Lang = "en") -> str:
    return render.error_line(trace, lang, where=False)


def verdict_text(verdict: str, best: Match | None, threshold: float, lang: Lang) -> Text:
    if verdict == "match" and best is not None:
        label = "可信的匹配" if lang == "zh" else "confident match"
        return Text.assemble(("✔ ", "bold green"), (label, "bold"), (f" {best.confidence:.2f}", "dim"))
    label = "没有可信的匹配" if lang == "zh" else "no confident match"
    nearest = "下面只是最接近的候选" if lang == "zh" else "candidates below are not confident"
    return Text.assemble(("? ", "bold yellow"), (label, "bold yellow"), (f" (< {threshold:.2f})\n{nearest}", "dim"))


# --- fixes ------------------------------------------------------------------------------------

def fix_prompt(number: int, data: dict[str, Any], lang: Lang = "en") -> Text:
    """One fix as shown in the fix list: applicability, title, commands, change, verification."""
    return to_rich(render.fix_lines(number, data, lang))


def copy_text(data: dict[str, Any]) -> str:
    """What copying a fix puts on the clipboard: its commands, else its change."""
    if data["commands"]:
        return "\n".join(data["commands"])
    return data["change"]


# --- evidence ---------------------------------------------------------------------------------

def marked_lines(match: Match) -> set[int]:
    return {line for ev in match.evidence for line in ev.lines}


def evidence_list(match: Match, lang: Lang = "en") -> Text:
    return to_rich(render.evidence_lines(match, lang))


def _frame_blocks(log: Log, shown: list[int]) -> list[tuple[list[int], str | None]]:
    """Group the shown line indices into frame blocks (header + code lines) and single lines."""
    blocks: list[tuple[list[int], str | None]] = []
    i = 0
    while i < len(shown):
        line = log.lines[shown[i]]
        match = tb.FRAME_RE.match(line)
        if match is None:
            blocks.append(([shown[i]], None))
            i += 1
            continue
        block = [shown[i]]
        i += 1
        while (i < len(shown) and shown[i] == block[-1] + 1 and log.lines[shown[i]].startswith("    ")
               and not tb.FRAME_RE.match(log.lines[shown[i]])):
            block.append(shown[i])
            i += 1
        blocks.append((block, tb.library_of(match["file"])))
    return blocks


def shown_lines(log: Log, trace: Trace | None, marked: set[int]) -> list[int]:
    """The lines of the chosen error, plus the marked lines elsewhere with one line of context."""
    total = len(log.lines)
    wanted: set[int] = set()
    if trace is not None:
        wanted.update(range(max(0, trace.start), min(total, trace.end + 1)))
    for line in marked:
        wanted.update(range(max(0, line - 1), min(total, line + 2)))
    if not wanted:
        wanted.update(range(max(0, total - 20), total))
    ordered = sorted(wanted)
    while ordered and not log.lines[ordered[-1]].strip():
        ordered.pop()
    if len(ordered) > MAX_EVIDENCE_LINES:
        keep = set(ordered[:40]) | set(ordered[-(MAX_EVIDENCE_LINES - 40):]) | (marked & wanted)
        ordered = sorted(keep)
    return ordered


def traceback_view(log: Log, trace: Trace | None, marked: set[int], *, fold: bool) -> Text:
    """The error as printed, evidence lines marked, library frames folded when ``fold``."""
    shown = shown_lines(log, trace, marked)
    if not shown:
        return Text()
    exception_lines = {exc.line for exc in trace.exceptions} if trace is not None else set()
    width = len(str(max(shown) + 1))
    text = Text(f"{MARK}evidence lines; library frames {'folded (f shows them)' if fold else 'shown (f folds them)'}\n",
                style="dim")
    previous: int | None = None
    pending: list[tuple[list[int], str | None]] = []

    def flush() -> None:
        if not pending:
            return
        libraries = sorted({lib for _, lib in pending if lib})
        frames = len(pending)
        text.append(f"{'':>{width}}   ⋯ {frames} library frame{'s' if frames > 1 else ''} folded "
                    f"({', '.join(libraries)})\n", style="dim italic")
        pending.clear()

    for block, library in _frame_blocks(log, shown):
        if previous is not None and block[0] > previous + 1:
            flush()
            text.append(f"{'':>{width}}   ⋯\n", style="dim")
        previous = block[-1]
        if fold and library is not None and not (set(block) & marked):
            pending.append((block, library))
            continue
        flush()
        for index in block:
            marker = MARK if index in marked else "  "
            text.append(f"{index + 1:>{width}} ", style="dim")
            text.append(marker, style="bold magenta")
            style = "bold reverse" if index in marked else "bold red" if index in exception_lines else (
                "dim" if library is not None else "")
            text.append(log.lines[index], style=style)
            text.append("\n")
    flush()
    text.rstrip()
    return text


# --- findings ---------------------------------------------------------------------------------

def finding_text(finding: Finding, lang: Lang = "en") -> Text:
    return to_rich([render.finding_line(finding, lang)])


# --- corpus -----------------------------------------------------------------------------------

def entry_prompt(entry: Entry, lang: Lang) -> Text:
    return Text.assemble((entry.id, "bold"), "\n", entry.title.get(lang), "\n",
                         (" ".join(f"#{t}" for t in entry.tags), "dim"))

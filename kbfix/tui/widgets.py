"""The widgets of the terminal UI: ranked matches, the detail of one match or entry, fixes, paths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from kbfix.model import Entry, Lang, Match, Report
from kbfix.tui import view

SECTION = {"en": {"explanation": "Explanation", "fixes": "Fixes", "evidence": "Evidence", "findings": "Artifacts",
                  "refs": "References", "warnings": "Warnings", "notes": "Notes", "body": "Entry"},
           "zh": {"explanation": "说明", "fixes": "修复", "evidence": "证据", "findings": "产物检查",
                  "refs": "参考", "warnings": "警告", "notes": "备注", "body": "条目"}}


class KeyFooter(Footer):
    """Textual's footer in a grid: keys wrap onto a second row when one row cannot hold them all."""

    CELL = 10
    keys = 0

    def compose(self) -> ComposeResult:
        children = list(super().compose())
        self.keys = len(children)
        self._columns()
        yield from children

    def on_mount(self) -> None:
        # bindings may have settled (focus set in the screen's on_mount) before this footer subscribed
        self.call_after_refresh(self.bindings_changed, self.screen)

    def on_resize(self) -> None:
        self._columns()

    def _columns(self) -> None:
        width = self.size.width or self.app.size.width
        if self.keys:
            self.styles.grid_size_columns = max(1, min(self.keys, width // self.CELL))


class LogBox(TextArea):
    """Where the log is typed or pasted. Letters type here; escape hands the keys back to kbfix."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Done editing", tooltip="Leave the log box: keys act on kbfix again"),
    ]

    def action_done(self) -> None:
        self.screen.focus_next(MatchList)


class MatchList(OptionList):
    """Ranked candidates with confidence bars; weak ones are marked as not confident."""

    def show(self, report: Report, lang: Lang, threshold: float, *, keep: bool = False) -> None:
        """List the report's matches; highlight the best one, or with ``keep`` the one highlighted before."""
        before = self.highlighted if keep else None
        self.clear_options()
        self.add_options(Option(view.match_prompt(m, lang, threshold, m.confidence >= threshold), id=m.entry.id)
                         for m in report.matches)
        if report.matches:
            self.highlighted = before if before is not None and before < len(report.matches) else 0


class FixList(OptionList):
    """The fixes of one entry; the highlighted one is what ``c`` copies."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fixes: list[dict[str, Any]] = []

    def show(self, fixes: list[dict[str, Any]], lang: Lang = "en") -> None:
        self.fixes = fixes
        self.clear_options()
        self.add_options(Option(view.fix_prompt(i + 1, data, lang)) for i, data in enumerate(fixes))
        if fixes:
            self.highlighted = 0

    @property
    def selected_fix(self) -> tuple[int, dict[str, Any]] | None:
        if not self.fixes:
            return None
        index = self.highlighted if self.highlighted is not None else 0
        return index, self.fixes[index]


class DetailPane(VerticalScroll):
    """One match (explanation, fixes, evidence, findings) or one corpus entry (body, fixes)."""

    def compose(self) -> ComposeResult:
        yield Static(id="d-head")
        yield Label(id="l-explanation", classes="section")
        yield Static(id="d-explanation")
        yield Label(id="l-fixes", classes="section")
        yield FixList(id="fixes")
        yield Label(id="l-evidence", classes="section")
        yield Static(id="d-evidence")
        yield Static(id="d-trace")
        yield Label(id="l-findings", classes="section")
        yield Static(id="d-findings")
        yield Label(id="l-refs", classes="section")
        yield Static(id="d-refs")

    def markdown(self, text: str) -> Any:
        # imported here: markdown-it is not needed for the first paint
        from rich.markdown import Markdown

        return Markdown(text, code_theme="ansi_dark" if self.app.current_theme.dark else "ansi_light")

    def _section(self, name: str, lang: Lang, content: Any) -> None:
        """Show a section's heading and content, or hide both when there is nothing to show."""
        label = self.query_one(f"#l-{name}", Label)
        body = self.query_one(f"#d-{name}", Static)
        present = bool(content)
        label.update(SECTION[lang][name])
        label.display = body.display = present
        body.update(content if present else "")

    def message(self, text: Text | str) -> None:
        """Nothing selected: one line of guidance and every section hidden."""
        self.query_one("#d-head", Static).update(text)
        for name in ("explanation", "evidence", "findings", "refs"):
            self._section(name, "en", "")
        self.query_one("#d-trace", Static).display = False
        self.query_one("#l-fixes").display = False
        fixes = self.query_one(FixList)
        fixes.show([])
        fixes.display = False

    def _fixes(self, data: list[dict[str, Any]], lang: Lang) -> None:
        fixes = self.query_one(FixList)
        self.query_one("#l-fixes", Label).update(SECTION[lang]["fixes"])
        self.query_one("#l-fixes").display = fixes.display = bool(data)
        fixes.show(data, lang)

    def show_match(self, match: Match, report: Report, lang: Lang, *, fold: bool) -> None:
        from kbfix.render import match_json

        threshold = report.threshold

        data = match_json(match, lang)
        confident = match.confidence >= threshold
        head = Text.assemble((data["title"], "bold"), "\n", (match.entry.id, "cyan"), "  ")
        head.append_text(view.confidence_bar(match.confidence, threshold))
        if not confident:
            head.append("\n")
            head.append("not confident: " + ("低于阈值，仅供参考" if lang == "zh" else
                                              f"below the {threshold:.2f} threshold, shown as a candidate only"),
                        style="bold yellow")
        error = view.error_line(report.error, lang)
        if error:
            head.append("\n")
            head.append(error, style="dim")
        for warning in data["warnings"]:
            head.append(f"\n! {warning}", style="yellow")
        self.query_one("#d-head", Static).update(head)
        self._section("explanation", lang, self.markdown(data["explanation"]) if data["explanation"] else "")
        self._fixes(data["fixes"], lang)
        self._section("evidence", lang, view.evidence_list(match, lang))
        trace = self.query_one("#d-trace", Static)
        trace.display = report.log is not None and bool(report.log.lines)
        if report.log is not None:
            trace.update(view.traceback_view(report.log, report.error, view.marked_lines(match), fold=fold))
        lines = [view.finding_text(f, lang) for f in report.findings]
        lines += [Text(f"note: {n}", style="dim") for n in report.notes]
        self._section("findings", lang, Text("\n").join(lines) if lines else "")
        self.query_one("#l-findings", Label).update(SECTION[lang]["findings" if report.findings else "notes"])
        self._section("refs", lang, references(data["references"]))
        self.scroll_home(animate=False)

    def show_entry(self, entry: Entry, lang: Lang) -> None:
        from kbfix.render import entry_json

        data = entry_json(entry, lang)
        head = Text.assemble((data["title"], "bold"), "\n", (entry.id, "cyan"), "  ",
                             (" ".join(f"#{t}" for t in entry.tags), "dim"))
        if data["affected"]:
            head.append("\naffected: " + ", ".join(f"{k} {v}" for k, v in data["affected"].items()), style="dim")
        self.query_one("#d-head", Static).update(head)
        self._section("explanation", lang, self.markdown(entry.body.get(lang)))
        self.query_one("#l-explanation", Label).update(SECTION[lang]["body"])
        self._fixes(data["fixes"], lang)
        self._section("evidence", lang, "")
        self.query_one("#d-trace", Static).display = False
        self._section("findings", lang, "")
        self._section("refs", lang, references(data["references"]))
        self.scroll_home(animate=False)


def references(urls: list[str]) -> Text | str:
    return Text("\n".join(urls), style="underline") if urls else ""


class PathInput(Input):
    """A path field: the dimmed suggestion comes from the disk; tab takes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("tab", "complete", "Complete", show=False)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(placeholder="path (tab completes)", suggester=PathSuggester(), **kwargs)

    def action_complete(self) -> None:
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)


class PathSuggester(Suggester):
    """Completes the last part of a path from what is on disk."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        path = Path(os.path.expanduser(value))
        folder, stem = (path, "") if value.endswith(os.sep) else (path.parent, path.name)
        try:
            names = sorted(p.name + (os.sep if p.is_dir() else "") for p in folder.iterdir() if p.name.startswith(stem))
        except OSError:
            return None
        if not names or (stem == "" and not value.endswith(os.sep)):
            return None
        return value + names[0][len(stem):]

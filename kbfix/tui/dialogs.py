"""Modal dialogs: ask for a path, show copied text, show a verification, list the keys."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from kbfix.tui.widgets import PathInput


class PathDialog(ModalScreen[str | None]):
    """Ask for one path; ``kind="file"`` insists on a file. Dismisses with the path or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, kind: Literal["file", "any"] = "any") -> None:
        super().__init__()
        self.title_text = title
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield PathInput(id="path")
            yield Static(id="path-error")
            yield Label("enter: ok   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        path = Path(os.path.expanduser(raw))
        error = ""
        if not raw:
            error = "type a path"
        elif not path.exists():
            error = f"{raw}: no such file or folder"
        elif self.kind == "file" and not path.is_file():
            error = f"{raw}: not a file"
        if error:
            self.query_one("#path-error", Static).update(Text(error, style="bold red"))
            return
        self.dismiss(str(path))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CopyDialog(ModalScreen[None]):
    """The copied text, selectable, for terminals that ignore OSC 52."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, text: str, what: str) -> None:
        super().__init__()
        self.text = text
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Copied {self.what} to the clipboard", classes="dialog-title")
            yield Static("If your terminal ignores OSC 52, select the text below (shift+drag in most terminals). "
                         "kbfix never runs it.", classes="hint")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="copied")
            yield Label("esc / enter: close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class VerifyDialog(ModalScreen[None]):
    """The outcome of re-checking an entry against the user's artifacts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, entry_id: str, paths: list[str], result: Any) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.paths = paths
        self.result = result

    def compose(self) -> ComposeResult:
        facts = dict(self.result.facts)
        outcome = {
            "passed": Text("PASS: the cause is cleared", style="bold green"),
            "unchecked": Text("COULD NOT CHECK: no check applies", style="bold yellow"),
            "failed": Text("FAIL: the cause is still present", style="bold red"),
        }[str(self.result.outcome)]
        body = Text.assemble(outcome, "\n", (self.entry_id, "cyan"), " against ", ", ".join(self.paths), "\n")
        for key, value in facts.items():
            if value in ([], {}, ""):
                continue
            body.append(f"\n{key}:", style="bold")
            if isinstance(value, list):
                for item in value:
                    body.append(f"\n  - {item}")
            elif isinstance(value, dict):
                for k, v in value.items():
                    body.append(f"\n  {k}: {v}")
            else:
                body.append(f" {value}")
        with Vertical(classes="dialog"):
            yield Label("Verification", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(body, id="verify-result")
            yield Label("esc / enter: close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings of the app and its screens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style="bold cyan", no_wrap=True, justify="right")
        table.add_column(style="bold", no_wrap=True)
        table.add_column(style="dim", ratio=1)
        for name, bindings in self.groups:
            table.add_row("", Text(name, style="bold underline"), "")
            for binding in bindings:
                table.add_row(self.app.get_key_display(binding), binding.description, binding.tooltip)
            table.add_row("", "", "")
        tips = Text("Paste with your terminal's paste key: kbfix reads bracketed paste anywhere on the main "
                    "screen. Tab moves between panes, arrows within one; the mouse works too. "
                    "kbfix only copies fix commands; it never runs them.", style="dim")
        with Vertical(classes="dialog"):
            yield Label("kbfix keys", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(table)
                yield Static(tips)
            yield Label("esc / ?: close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)

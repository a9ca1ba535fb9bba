"""Screens: diagnose (the main one), the corpus browser, one entry. Dialogs are in dialogs.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from kbfix.model import Entry, Match, Report
from kbfix.tui import view
from kbfix.tui.dialogs import PathDialog
from kbfix.tui.widgets import DetailPane, FixList, KeyFooter, LogBox, MatchList

if TYPE_CHECKING:
    from kbfix.tui.app import KbfixApp

TOP = 5
DEBOUNCE_S = 0.3
WELCOME = {
    "en": "Paste a traceback or a training log (anywhere on this screen), or press o to open a file.\n"
          "The diagnosis appears as soon as the text is in.",
    "zh": "粘贴 traceback 或训练日志（在本屏任意位置），或按 o 打开文件。\n"
          "文本一到就会给出诊断。",
}


class DiagnoseScreen(Screen[None]):
    """Paste or open a log; see the ranked causes, one cause in detail, its fixes and evidence."""

    app: KbfixApp
    debounce_s: float = DEBOUNCE_S
    """Seconds of quiet in the log box before its text is diagnosed (typing or pasting into it)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", tooltip="Focus the log box to type or paste (paste works anywhere)"),
        Binding("o", "open", "Open", tooltip="Open a log or traceback file"),
        Binding("a", "attach", "Attach", tooltip="Attach a checkpoint folder, adapter or training YAML"),
        Binding("c", "copy_fix", "Copy", tooltip="Copy the highlighted fix (kbfix never runs it)"),
        Binding("v", "verify", "Verify", tooltip="Re-check the selected cause against your artifacts"),
        Binding("f", "fold", "Fold", tooltip="Fold or unfold library frames in the evidence"),
        Binding("x", "clear", "Clear", tooltip="Clear the log, the artifacts and the diagnosis"),
        Binding("b", "corpus", "Corpus", tooltip="Browse and search every known cause"),
    ]
    fold = reactive(True, init=False)

    def __init__(self, text: str | None = None, path: str | None = None) -> None:
        super().__init__()
        self.initial_text = text
        self.initial_path = path
        self.report: Report | None = None
        self._generation = 0
        self._diagnosed_text: str | None = None
        self._debounce: Timer | None = None
        self._waiting_for_engine = False

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield LogBox(id="log", soft_wrap=False, placeholder="paste a traceback here")
                yield Static(id="verdict")
                yield MatchList(id="matches")
            yield DetailPane(id="detail")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#log").border_title = "log"
        self.query_one("#matches").border_title = "causes"
        self.watch(self.app, "lang", self._relabel, init=False)
        self.watch(self.app, "theme", self._relabel, init=False)  # code blocks follow the theme
        self.query_one(DetailPane).message(WELCOME[self.app.lang])
        if self.initial_text:
            self.set_text(self.initial_text)
        elif self.initial_path:
            self.query_one(MatchList).focus()  # letters stay kbfix keys
            self.read_file(self.initial_path)
        else:
            # an empty screen waits for a paste: a terminal without bracketed paste (or tmux send-keys)
            # delivers it as keystrokes, which must land in the log box, not trigger kbfix's key bindings
            self.query_one(LogBox).focus()
        self.update_status()
        self.call_after_refresh(self.app.start_engine)

    # --- state shown -------------------------------------------------------------------------
    def update_status(self) -> None:
        app = self.app
        if app.engine_error:
            engine = Text(f"engine failed: {app.engine_error}", style="bold red")
        elif app.engine is None:
            engine = Text("loading the engine…", style="yellow")
        else:
            engine = Text(f"{len(app.engine.entries)} causes known", style="dim")
        parts = [Text("kbfix", style="bold"), engine]
        if self.pending and app.engine is not None:
            parts.append(Text("diagnosing…", style="yellow"))
        if app.artifacts:
            parts.append(Text(f"{len(app.artifacts)} artifact(s) attached", style="cyan"))
        parts.append(Text("中文" if app.lang == "zh" else "English", style="dim"))
        self.query_one("#status", Static).update(Text("  ·  ").join(parts))

    def _relabel(self) -> None:
        if self.report is None:
            self.query_one(DetailPane).message(WELCOME[self.app.lang])
        else:
            self.show_report(self.report, self._generation, keep_selection=True)
        self.update_status()

    @property
    def pending(self) -> bool:
        """A diagnosis is due: text typed but not yet diagnosed, or a diagnosis running."""
        waiting = self._waiting_for_engine and self.app.engine_error is None
        return self._debounce is not None or waiting or any(
            w.group == "diagnose" and w.is_running for w in self.workers)

    @property
    def selected_match(self) -> Match | None:
        if self.report is None or not self.report.matches:
            return None
        index = self.query_one(MatchList).highlighted
        return self.report.matches[index if index is not None else 0]

    def show_report(self, report: Report, generation: int, *, keep_selection: bool = False) -> None:
        if generation != self._generation:
            return  # a newer text is being diagnosed
        self.report = report
        threshold = report.threshold
        verdict = self.query_one("#verdict", Static)
        matches = self.query_one(MatchList)
        if report.matches:
            verdict.update(view.verdict_text(report.verdict, report.best, threshold, self.app.lang))
            matches.show(report, self.app.lang, threshold, keep=keep_selection)
            self._show_detail()
        else:
            verdict.update(view.verdict_text("no_match", None, threshold, self.app.lang))
            matches.clear_options()
            self.query_one(DetailPane).message(Text("no confident match, and no candidate close enough to show",
                                                    style="bold yellow"))
        self.update_status()

    def _show_detail(self) -> None:
        match = self.selected_match
        if match is not None and self.report is not None:
            self.query_one(DetailPane).show_match(match, self.report, self.app.lang,
                                                  fold=self.fold)

    @on(OptionList.OptionHighlighted, "#matches")
    def _match_highlighted(self) -> None:
        self._show_detail()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.worker_changed(event)
        self.update_status()

    def watch_fold(self) -> None:
        self._show_detail()

    # --- input -------------------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        """Put text in the log box (a file read, a paste outside it) and diagnose it now."""
        self.query_one(TextArea).load_text(text)
        self.query_one(MatchList).focus()
        self.request_diagnosis()

    def on_paste(self, event: events.Paste) -> None:
        """Bracketed paste outside the log box replaces its text (inside, the box inserts it). A paste
        that fills an empty box is a whole input: keys act on kbfix again."""
        box = self.query_one(LogBox)
        if self.focused is box:
            if box.text == event.text:
                self.query_one(MatchList).focus()
            return
        if isinstance(self.focused, (TextArea, Input)):
            return
        self.set_text(event.text)

    @on(TextArea.Changed, "#log")
    def _text_changed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(self.debounce_s, self.request_diagnosis)
        self.update_status()

    def request_diagnosis(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        text = self.query_one(TextArea).text
        findings = self.app.findings
        if text == self._diagnosed_text and self.report is not None and self.report.findings == findings:
            self.update_status()
            return
        if not text.strip() and not findings:
            self._generation += 1
            self.report = None
            self._diagnosed_text = text
            self.query_one("#verdict", Static).update("")
            self.query_one(MatchList).clear_options()
            self.query_one(DetailPane).message(WELCOME[self.app.lang])
            self.update_status()
            return
        if self.app.engine is None:
            self._waiting_for_engine = True
            self.update_status()
            return
        self._generation += 1
        self._diagnosed_text = text
        self.diagnose(text, findings, self._generation)
        self.update_status()

    def engine_ready(self) -> None:
        if not self.is_mounted:
            return  # on_mount finds the engine
        self.update_status()
        if self._waiting_for_engine:
            self._waiting_for_engine = False
            self.request_diagnosis()

    @work(thread=True, exclusive=True, group="diagnose", exit_on_error=False)
    def diagnose(self, text: str, findings: tuple, generation: int) -> None:
        import kbfix

        report = kbfix.diagnose(text if text.strip() else None, findings=findings, top=TOP, engine=self.app.engine)
        self.app.call_from_thread(self.show_report, report, generation)

    @work(thread=True, group="read", exit_on_error=False)
    def read_file(self, path: str) -> None:
        from kbfix.reader import InputError, check_text, read_stream

        try:
            with open(path, "rb") as handle:
                text = check_text(read_stream(handle))
        except (OSError, InputError) as exc:
            self.app.call_from_thread(self.app.notify, f"{path}: {exc}", title="cannot open", severity="error")
            return
        self.app.call_from_thread(self.set_text, text)

    # --- actions -----------------------------------------------------------------------------
    def action_edit(self) -> None:
        self.query_one(TextArea).focus()

    def action_open(self) -> None:
        def opened(path: str | None) -> None:
            if path:
                self.read_file(path)

        self.app.push_screen(PathDialog("Open a log or traceback file", kind="file"), opened)

    def action_attach(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.app.attach(path)

        self.app.push_screen(PathDialog("Attach an artifact: checkpoint folder, adapter, training YAML"), chosen)

    def action_copy_fix(self) -> None:
        match = self.selected_match
        selected = self.query_one("#detail", DetailPane).query_one(FixList).selected_fix
        if match is None or selected is None:
            self.app.notify("no fix to copy: nothing is diagnosed yet", severity="warning")
            return
        self.app.copy_fix(match.entry.id, *selected)

    def action_verify(self) -> None:
        match = self.selected_match
        if match is None:
            self.app.notify("nothing to verify: no cause is selected", severity="warning")
            return
        self.app.verify_entry(match.entry.id)

    def action_fold(self) -> None:
        self.fold = not self.fold

    def action_clear(self) -> None:
        self.app.artifacts.clear()
        self.app.findings = ()
        self.query_one(TextArea).load_text("")
        self.query_one(TextArea).focus()
        self.request_diagnosis()

    def action_corpus(self) -> None:
        self.app.push_screen(CorpusScreen())


class CorpusScreen(Screen[None]):
    """Every entry of the corpus, searchable by words, ``tag:X`` and ``lib:X``."""

    app: KbfixApp
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "search", "Search", tooltip="Search words, tag:peft, lib:deepspeed"),
        Binding("down", "to_list", "List", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: tuple[Entry, ...] = ()
        self.shown: list[Entry] = []

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Input(id="search", placeholder="search: words, tag:peft, lib:deepspeed")
        yield OptionList(id="entries")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#status", Static).update(Text("kbfix · corpus · loading…", style="bold"))
        self.watch(self.app, "lang", self._refill, init=False)
        self.query_one("#entries", OptionList).focus()  # `/` is the search key, not a character to type
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        if self.app.engine is not None:
            corpus = self.app.engine.corpus
        else:
            from kbfix.corpus import load_default

            corpus = load_default()
        self.app.call_from_thread(self._loaded, corpus.entries)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.worker_changed(event)

    def _loaded(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        self._refill()

    def _refill(self) -> None:
        query = self.query_one(Input).value
        self.shown = view.search_entries(self.entries, query)
        entries = self.query_one("#entries", OptionList)
        entries.clear_options()
        entries.add_options(Option(view.entry_prompt(e, self.app.lang), id=e.id) for e in self.shown)
        if self.shown:
            entries.highlighted = 0
        found = f"{len(self.shown)} of {len(self.entries)} causes" + (f" matching {query!r}" if query else "")
        self.query_one("#status", Static).update(Text.assemble(("kbfix · corpus", "bold"), "  ·  ", (found, "dim")))

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        self._refill()

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        self.action_to_list()

    @on(OptionList.OptionSelected, "#entries")
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(EntryScreen(self.shown[event.option_index]))

    def action_back(self) -> None:
        self.dismiss()

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def action_to_list(self) -> None:
        self.query_one("#entries").focus()


class EntryScreen(Screen[None]):
    """One corpus entry in full: body, fixes (copyable), references."""

    app: KbfixApp
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "copy_fix", "Copy", tooltip="Copy the highlighted fix"),
        Binding("v", "verify", "Verify", tooltip="Re-check this cause against your artifacts"),
    ]

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("kbfix · corpus · ", "bold"), self.entry.id), id="status")
        yield DetailPane(id="entry")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._show)
        self.watch(self.app, "theme", self._show, init=False)
        self.query_one(DetailPane).focus()

    def _show(self) -> None:
        self.query_one(DetailPane).show_entry(self.entry, self.app.lang)

    def action_back(self) -> None:
        self.dismiss()

    def action_copy_fix(self) -> None:
        selected = self.query_one(FixList).selected_fix
        if selected is not None:
            self.app.copy_fix(self.entry.id, *selected)

    def action_verify(self) -> None:
        self.app.verify_entry(self.entry.id)

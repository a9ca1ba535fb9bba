"""The terminal UI: ``make_app`` builds it (for the CLI, Pilot and snapshot tests), ``run_app`` runs it.

Only Textual and light kbfix modules are imported on the way to the first paint; the engine (numpy,
the encoder, the FAISS index) loads in a worker thread after the screen is up, and so do diagnosis,
file reading and artifact inspection. kbfix never runs a fix: it copies one to the clipboard.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, ClassVar

from rich.theme import Theme as RichTheme
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from kbfix.model import Finding, Lang
from kbfix.tui import view
from kbfix.tui.dialogs import CopyDialog, HelpScreen, PathDialog, VerifyDialog
from kbfix.tui.screens import CorpusScreen, DiagnoseScreen, EntryScreen
from kbfix.tui.widgets import LogBox

THEMES = ("textual-dark", "textual-light")


class KbfixApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "kbfix"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "toggle_lang", "中文/EN", tooltip="Explanations in English or Chinese"),
        Binding("t", "toggle_theme", "Theme", tooltip="Dark or light theme"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="This list of keys"),
        Binding("q", "quit", "Quit", tooltip="Leave kbfix (ctrl+q works everywhere)"),
    ]
    lang: reactive[Lang] = reactive("en", init=False)

    def __init__(self, *, text: str | None = None, path: str | None = None, lang: Lang = "en",
                 model: str | None = None, engine: Any = None) -> None:
        super().__init__()
        # rich's Markdown paints code black-on-cyan; keep the colour, drop the background, for light themes too
        self.console.push_theme(RichTheme({"markdown.code": "bold cyan", "markdown.code_block": "cyan"}))
        self.set_reactive(KbfixApp.lang, lang if lang in ("en", "zh") else "en")
        self.model = model
        self.engine = engine
        self.engine_error: str | None = None
        self.artifacts: list[str] = []
        self.findings: tuple[Finding, ...] = ()
        self.main = DiagnoseScreen(text=text, path=path)

    @property
    def busy(self) -> bool:
        """True while something the user waits for is under way: the engine, a diagnosis, a worker."""
        loading = self.engine is None and self.engine_error is None
        return loading or self.main.pending or any(w.is_running for w in self.workers)

    def get_default_screen(self) -> DiagnoseScreen:
        return self.main

    def start_engine(self) -> None:
        """Called once the first screen is painted: loading competes with painting for the GIL."""
        if self.engine is None and not any(w.group == "engine" for w in self.workers):
            self.load_engine()

    # --- workers -----------------------------------------------------------------------------
    @work(thread=True, group="engine", exit_on_error=False)
    def load_engine(self) -> None:
        from kbfix.engine import get_engine

        self.call_from_thread(self._engine_ready, get_engine(None, self.model))

    def _engine_ready(self, engine: Any) -> None:
        self.engine = engine
        self.main.engine_ready()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.worker_changed(event)

    def worker_changed(self, event: Worker.StateChanged) -> None:
        """A worker (the app's or a screen's) that raised: say so instead of leaving the user waiting."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        message = f"{type(error).__name__}: {error}"
        if event.worker.group == "engine":
            self.engine_error = message
            self.main.update_status()
        self.notify(message, title=f"{event.worker.name} failed", severity="error", timeout=10)

    def attach(self, path: str) -> None:
        """Inspect an artifact; its findings join the diagnosis."""
        self.inspect(path)

    @work(thread=True, group="inspect", exit_on_error=False)
    def inspect(self, path: str) -> None:
        try:
            from kbfix.introspect import inspect_paths
        except ImportError as exc:
            self.call_from_thread(self.notify, f"artifact inspection is not available: {exc}", severity="error")
            return
        findings = tuple(inspect_paths([Path(path)]))
        self.call_from_thread(self._inspected, path, findings)

    def _inspected(self, path: str, findings: tuple[Finding, ...]) -> None:
        if path not in self.artifacts:
            self.artifacts.append(path)
        self.findings = tuple(f for f in self.findings if f.subject not in {g.subject for g in findings}) + findings
        errors = sum(1 for f in findings if f.error)
        self.notify(f"{path}: {len(findings)} finding(s)" + (f", {errors} with errors" if errors else ""),
                    title="artifact attached")
        self.main.request_diagnosis()

    def verify_entry(self, entry_id: str) -> None:
        """Re-check ``entry_id`` against the attached artifacts (asking for a path when there is none)."""
        if self.artifacts:
            self.verify(entry_id, list(self.artifacts))
            return

        def chosen(path: str | None) -> None:
            if path:
                self.verify(entry_id, [path])

        self.push_screen(PathDialog(f"Verify {entry_id}: the fixed checkpoint, adapter or training YAML"), chosen)

    @work(thread=True, group="verify", exit_on_error=False)
    def verify(self, entry_id: str, paths: list[str]) -> None:
        try:
            from kbfix.introspect import verify
        except ImportError as exc:
            self.call_from_thread(self.notify, f"verification is not available: {exc}", severity="error")
            return
        result = verify(entry_id, [Path(p) for p in paths])
        self.call_from_thread(self.push_screen, VerifyDialog(entry_id, paths, result))

    # --- actions -----------------------------------------------------------------------------
    def copy_fix(self, entry_id: str, index: int, data: dict[str, Any]) -> None:
        """OSC 52 to the terminal's clipboard, plus a dialog showing the text to select by hand."""
        text = view.copy_text(data)
        self.copy_to_clipboard(text)
        what = f"fix {index + 1} of {entry_id}"
        self.notify(f"{what} copied (OSC 52); kbfix never runs it", title="copied")
        self.push_screen(CopyDialog(text, what))

    def action_toggle_lang(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        groups = [("Diagnose", DiagnoseScreen.BINDINGS), ("Log box", LogBox.BINDINGS),
                  ("Corpus", CorpusScreen.BINDINGS), ("Entry", EntryScreen.BINDINGS),
                  ("Everywhere", [*self.BINDINGS, *App.BINDINGS])]
        self.push_screen(HelpScreen([(name, [b for b in group if isinstance(b, Binding) and b.description])
                                     for name, group in groups]))

    async def action_quit(self) -> None:
        self.exit(0)


def make_app(*, text: str | None = None, path: str | None = None, lang: Lang = "en", model: str | None = None,
             engine: Any = None) -> KbfixApp:
    """The app, on a pasted ``text`` or a file at ``path``; ``engine`` skips loading one (tests)."""
    return KbfixApp(text=text, path=path, lang=lang, model=model, engine=engine)


def attach_terminal() -> None:
    """After ``cmd 2>&1 | kbfix --tui`` stdin is the drained pipe: read the keyboard from /dev/tty.

    Textual reads keys from file descriptor 0 and draws on ``sys.__stderr__``; both must be the
    terminal. Raises OSError when there is no controlling terminal.
    """
    if not (sys.__stdin__ is not None and sys.__stdin__.isatty()):
        # the new stdin lives as long as the process
        sys.stdin = sys.__stdin__ = _onto_tty(0, os.O_RDWR, "r")
    if not (sys.__stderr__ is not None and sys.__stderr__.isatty()):
        sys.stderr = sys.__stderr__ = _onto_tty(2, os.O_WRONLY, "w")


def _onto_tty(fd: int, flags: int, mode: str):
    """Point file descriptor ``fd`` at the controlling terminal and return a text stream on it."""
    tty = os.open("/dev/tty", flags)
    try:
        os.dup2(tty, fd)
    finally:
        os.close(tty)
    return open(fd, mode, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115


def run_app(*, text: str | None = None, path: str | None = None, lang: Lang = "en", model: str | None = None) -> int:
    """Run the UI in this terminal (the CLI's ``kbfix``, ``kbfix tui`` and ``kbfix --tui``); return 0."""
    try:
        attach_terminal()
    except OSError as exc:
        print(f"kbfix: the terminal UI needs a terminal (/dev/tty: {exc.strerror or exc})", file=sys.stderr)
        return 2
    app = make_app(text=text, path=path, lang=lang, model=model)
    app.run()
    return app.return_code or 0

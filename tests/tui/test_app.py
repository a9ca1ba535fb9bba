"""The terminal UI driven with Pilot, on the real engine and the real corpus."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, OptionList, Static, TextArea

from kbfix.tui.app import make_app
from kbfix.tui.dialogs import CopyDialog, HelpScreen, PathDialog, VerifyDialog
from kbfix.tui.screens import CorpusScreen, DiagnoseScreen, EntryScreen
from kbfix.tui.widgets import FixList, LogBox, MatchList

from .support import (
    ALL_FROZEN,
    CASES,
    EMPTY_LIST,
    OUT_OF_SCOPE,
    ZERO2,
    pilot_test,
    record_notifications,
    settle,
)

ID = "no-trainable-parameters"
GREP = "grep -nE 'freeze_(vision_tower|multi_modal_projector|language_model)|finetuning_type' <your training yaml>"


def plain(widget: Static) -> str:
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def prompts(option_list: OptionList) -> list[str]:
    return [option_list.get_option_at_index(i).prompt.plain for i in range(option_list.option_count)]


async def paste(pilot, text: str) -> None:
    """What a terminal sends for a bracketed paste: an event to the app, which hands it to the focus."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def choose_path(pilot, path) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, PathDialog)
    dialog.query_one(Input).value = str(path)
    await pilot.press("enter")


@pilot_test
async def test_paste_diagnose_copy_verify(engine, tmp_path):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        assert app.main.report is None
        assert "Paste a traceback" in plain(app.main.query_one("#d-head", Static))

        await paste(pilot, EMPTY_LIST)  # an empty screen waits in the log box: the paste lands there
        await settle(pilot)
        screen = app.main
        assert screen.query_one(LogBox).text == EMPTY_LIST
        report = screen.report
        assert report.verdict == "match" and report.best.entry.id == ID
        assert len(report.matches) == 5
        assert "confident match" in plain(screen.query_one("#verdict", Static))
        first = prompts(screen.query_one(MatchList))[0]
        assert first.startswith(ID) and "█" in first
        head = plain(screen.query_one("#d-head", Static))
        assert "Every parameter is frozen" in head and "ValueError: optimizer got an empty parameter list" in head
        fix_prompts = prompts(screen.query_one(FixList))
        assert "[safe]" in fix_prompts[0] and "[display-only]" in fix_prompts[1]
        assert "verification: reproducer" in fix_prompts[0]

        await pilot.press("c")
        assert app.clipboard == GREP
        assert isinstance(app.screen, CopyDialog)
        assert app.screen.query_one(TextArea).text == GREP
        await pilot.press("escape")
        assert app.screen is screen

        config = tmp_path / "qwen2vl_full_sft.yaml"
        config.write_text(ALL_FROZEN)
        await pilot.press("a")
        await choose_path(pilot, config)
        await settle(pilot)
        assert app.artifacts == [str(config)]
        assert any(f.kind == "everything-frozen" and ID in f.supports for f in app.findings)
        assert screen.report.findings == app.findings and screen.report.best.entry.id == ID
        assert any(e.kind == "finding" for e in screen.report.best.evidence)
        assert "everything-frozen" in plain(screen.query_one("#d-findings", Static))
        assert "1 artifact(s) attached" in plain(screen.query_one("#status", Static))

        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VerifyDialog)
        assert app.screen.result.passed is False
        assert "FAIL" in plain(app.screen.query_one("#verify-result", Static))
        await pilot.press("escape")

        config.write_text(ALL_FROZEN.replace("freeze_language_model: true", "freeze_language_model: false"))
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VerifyDialog)
        assert app.screen.result.passed is True
        assert "PASS" in plain(app.screen.query_one("#verify-result", Static))
        await pilot.press("enter")
        assert app.screen is screen


@pilot_test
async def test_paste_into_the_log_box_is_debounced(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        box = app.main.query_one(LogBox)
        assert app.focused is box  # an empty screen waits in the log box
        # a debounce far longer than any pause here: the check below cannot race the timer on a busy machine
        app.main.debounce_s = 600.0
        await paste(pilot, "ValueError: optimizer got an empty parameter list")
        assert app.main.pending and app.main.report is None  # waits for the typing to stop
        assert "diagnosing" in plain(app.main.query_one("#status", Static))
        assert isinstance(app.focused, MatchList)  # a paste that fills the empty box is a whole input
        # typing on replaces the wait with a new one; when it ends, the whole text is diagnosed
        app.main.debounce_s = 0.05
        await pilot.press("e")
        assert app.focused is box
        await paste(pilot, "\n")
        assert app.focused is box
        await settle(pilot)
        assert app.main.report.best.entry.id == ID
        assert box.text == "ValueError: optimizer got an empty parameter list\n"
        await pilot.press("escape")
        assert isinstance(app.focused, MatchList)


@pilot_test
async def test_out_of_scope_error_is_no_confident_match(engine):
    app = make_app(text=OUT_OF_SCOPE, engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        screen = app.main
        assert screen.report.verdict == "no_match"
        assert "no confident match" in plain(screen.query_one("#verdict", Static))
        for prompt in prompts(screen.query_one(MatchList)):
            assert prompt.startswith("? ")
        assert "not confident" in plain(screen.query_one("#d-head", Static))


@pilot_test
async def test_language_toggle_and_folding(engine):
    app = make_app(text=ZERO2, engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        screen = app.main
        assert screen.report.best.entry.id == ID
        trace = plain(screen.query_one("#d-trace", Static))
        assert "library frames folded" in trace
        assert "▶ " in trace and "IndexError: list index out of range" in trace
        assert "deepspeed/runtime/zero/stage_1_and_2.py" in trace  # the frame holding evidence stays
        await pilot.press("f")
        unfolded = plain(screen.query_one("#d-trace", Static))
        assert "library frames folded" not in unfolded and "transformers/trainer.py" in unfolded

        assert str(screen.query_one("#l-explanation").content) == "Explanation"
        await pilot.press("l")
        await pilot.pause()
        assert app.lang == "zh"
        assert str(screen.query_one("#l-explanation").content) == "说明"
        assert "所有参数都被冻结" in plain(screen.query_one("#d-head", Static))
        assert "所有参数都被冻结" in prompts(screen.query_one(MatchList))[0]


@pilot_test
async def test_open_file_dialog(engine, tmp_path):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "o")
        await choose_path(pilot, tmp_path / "missing.log")
        assert isinstance(app.screen, PathDialog)
        assert "no such file" in plain(app.screen.query_one("#path-error", Static))
        await choose_path(pilot, tmp_path)
        assert "not a file" in plain(app.screen.query_one("#path-error", Static))
        await choose_path(pilot, CASES / "match-notebook-trainer.txt")
        await settle(pilot)
        assert isinstance(app.screen, DiagnoseScreen)
        assert app.main.report.best.entry.id == ID


@pilot_test
async def test_open_path_given_on_the_command_line(engine):
    app = make_app(path=str(CASES / "match-torch-empty-list.txt"), engine=engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.report.best.entry.id == ID


@pilot_test
async def test_engine_loads_in_a_worker():
    app = make_app(text=EMPTY_LIST)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await settle(pilot)
        assert app.engine is not None
        assert app.main.report.best.entry.id == ID
        assert "causes known" in plain(app.main.query_one("#status", Static))


@pilot_test
async def test_browse_search_and_open_an_entry(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "b")
        await settle(pilot)
        corpus_screen = app.screen
        assert isinstance(corpus_screen, CorpusScreen)
        assert len(corpus_screen.shown) == len(engine.entries)

        await pilot.press("slash")  # the search key focuses the search box and is not typed into it
        search = corpus_screen.query_one(Input)
        assert app.focused is search and search.value == ""
        search.value = "tag:deepspeed"
        await pilot.pause()
        assert corpus_screen.shown and all("deepspeed" in e.tags for e in corpus_screen.shown)
        search.value = "lib:peft"
        await pilot.pause()
        assert any(e.id == "peft-target-modules-not-found" for e in corpus_screen.shown)
        search.value = "empty parameter list"
        await pilot.pause()
        assert corpus_screen.shown[0].id == ID
        search.value = "zzz-nothing-like-this"
        await pilot.pause()
        assert corpus_screen.shown == []
        assert "0 of" in plain(corpus_screen.query_one("#status", Static))

        search.value = "empty parameter list"
        await pilot.pause()
        await pilot.press("enter")  # to the list
        assert isinstance(app.focused, OptionList)
        await pilot.press("enter")  # open the highlighted entry
        entry_screen = app.screen
        assert isinstance(entry_screen, EntryScreen) and entry_screen.entry.id == ID
        assert ID in plain(entry_screen.query_one("#d-head", Static))
        await pilot.press("c")
        assert app.clipboard == GREP
        await pilot.press("escape", "escape", "escape")
        assert isinstance(app.screen, DiagnoseScreen)


@pilot_test
async def test_help_lists_every_key_and_theme_toggles(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = {b.description for _, group in app.screen.groups for b in group}
        for binding in DiagnoseScreen.BINDINGS + app.BINDINGS:
            assert binding.description in shown
        await pilot.press("escape")
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("t")
        assert app.theme == "textual-dark"


@pilot_test
async def test_nothing_to_copy_or_verify_says_so(engine):
    app = make_app(engine=engine)
    messages = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "c", "v")  # an empty screen waits in the log box: leave it first
        assert isinstance(app.screen, DiagnoseScreen) and app.clipboard == ""
        assert any("no fix to copy" in m for m in messages) and any("nothing to verify" in m for m in messages)


@pilot_test
async def test_missing_introspection_degrades_with_a_message(engine, monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "kbfix.introspect", None)  # import now raises ImportError
    config = tmp_path / "train.yaml"
    config.write_text(ALL_FROZEN)
    app = make_app(text=EMPTY_LIST, engine=engine)
    messages = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await choose_path(pilot, config)
        await settle(pilot)
        assert app.findings == () and app.main.report.best.entry.id == ID
        assert any("not available" in m for m in messages)


@pilot_test
async def test_clear_resets_everything(engine):
    app = make_app(text=EMPTY_LIST, engine=engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.report is not None
        await pilot.press("x")
        await settle(pilot)
        assert app.main.report is None and app.main.query_one(LogBox).text == ""
        assert app.main.query_one(MatchList).option_count == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pilot_test
async def test_quit_key(engine, size):
    app = make_app(text=EMPTY_LIST, engine=engine)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("q")
    assert app.return_code == 0


@pilot_test
async def test_path_dialog_completes_with_tab(engine, tmp_path):
    (tmp_path / "checkpoint-500").mkdir()
    app = make_app(engine=engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "a")
        field = app.screen.query_one(Input)
        field.value = str(tmp_path / "check")
        await settle(pilot)  # the suggestion comes from a worker reading the disk
        await pilot.press("tab")
        assert field.value == str(tmp_path / "checkpoint-500") + "/"


class FailingEngine:
    """An engine whose diagnosis raises: the UI must say so and keep running."""

    entries = ()

    def diagnose(self, log, *, top, findings):
        raise RuntimeError("index unreadable")


@pilot_test
async def test_a_failing_diagnosis_is_reported_not_hidden():
    app = make_app(text=EMPTY_LIST, engine=FailingEngine())
    messages = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.report is None
        assert any("RuntimeError: index unreadable" in m for m in messages)
        assert app.is_running


def test_piped_input_without_a_terminal_is_a_usage_error():
    """``cmd | kbfix --tui`` with no terminal to read keys from: exit 2 and say why (no hang)."""
    import subprocess
    import sys

    from .support import ROOT

    done = subprocess.run([sys.executable, "-m", "kbfix", "--tui"], input=EMPTY_LIST.encode(), capture_output=True,
                          cwd=ROOT, timeout=60, check=False, start_new_session=True)  # no controlling tty
    assert done.returncode == 2
    assert b"needs a terminal" in done.stderr


@pilot_test
async def test_an_engine_that_cannot_load_is_shown_in_the_status_line(monkeypatch):
    from kbfix.corpus import CorpusError, Problem

    def broken(root=None, model=None):
        raise CorpusError([Problem("corpus/x/entry.md", "id", "missing")])

    monkeypatch.setattr("kbfix.engine.get_engine", broken)
    app = make_app(text=EMPTY_LIST)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = plain(app.main.query_one("#status", Static))
        assert "engine failed: CorpusError" in status
        assert app.main.report is None and app.is_running


@pilot_test
async def test_choosing_another_cause_shows_its_detail_and_survives_a_language_switch(engine):
    app = make_app(text=EMPTY_LIST, engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        screen = app.main
        second = screen.report.matches[1].entry
        await pilot.press("down")
        assert screen.selected_match.entry.id == second.id
        assert second.id in plain(screen.query_one("#d-head", Static))
        assert "not confident" in plain(screen.query_one("#d-head", Static))
        await pilot.press("l")
        assert screen.selected_match.entry.id == second.id
        assert second.title.zh in plain(screen.query_one("#d-head", Static))
        await pilot.press("c")  # copies the second cause's highlighted fix
        assert app.screen.what.endswith(second.id)


@pilot_test
async def test_a_paste_typed_into_a_fresh_screen_is_diagnosed_as_the_box_shows_it(engine):
    """A terminal without bracketed paste (or tmux send-keys) types the paste as keystrokes. On a fresh
    screen they must land in the log box, not fire kbfix's keys, and the diagnosis must be of that text."""
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        text = "ValueError: optimizer got an empty parameter list"
        await pilot.press(*["space" if c == " " else c for c in text])
        await settle(pilot)
        box = app.main.query_one(LogBox)
        assert box.text == text and isinstance(app.screen, DiagnoseScreen)
        assert app.main.report is not None and app.main.report.best.entry.id == ID
        assert app.main.report.log.text == text


@pilot_test
async def test_a_bracketed_paste_into_a_fresh_screen_is_diagnosed_as_the_box_shows_it(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await paste(pilot, EMPTY_LIST)
        await settle(pilot)
        assert app.main.query_one(LogBox).text == EMPTY_LIST
        assert app.main.report.log.text == EMPTY_LIST
        assert app.main.report.best.entry.id == ID

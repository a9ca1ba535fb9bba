"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

They run on a frozen four-entry corpus with fixed calibration and no dense retrieval (see
conftest.py), with installed-version warnings switched off, so they change only when the UI does.
Regenerate after a deliberate UI change: ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import pytest

from kbfix.tui.app import make_app

from .support import EMPTY_LIST, OUT_OF_SCOPE, ZERO2, settle

pytestmark = pytest.mark.usefixtures("no_installed_versions")
SIZES = [(80, 24), (120, 40)]


def settled(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        # a focused text box blinks its cursor on a timer: hold it on, or the picture depends on when it is taken
        for box in pilot.app.screen.query("TextArea, Input"):
            box.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_match(snap_compare, frozen_engine, size):
    assert snap_compare(make_app(text=EMPTY_LIST, engine=frozen_engine), terminal_size=size, run_before=settled())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_no_confident_match(snap_compare, frozen_engine, size):
    assert snap_compare(make_app(text=OUT_OF_SCOPE, engine=frozen_engine), terminal_size=size, run_before=settled())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_start_without_input(snap_compare, frozen_engine, size):
    assert snap_compare(make_app(engine=frozen_engine), terminal_size=size, run_before=settled())


def test_chinese_evidence_unfolded(snap_compare, frozen_engine):
    app = make_app(text=ZERO2, engine=frozen_engine, lang="zh")
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled("f"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_light_theme(snap_compare, frozen_engine, size):
    app = make_app(text=EMPTY_LIST, engine=frozen_engine)
    assert snap_compare(app, terminal_size=size, run_before=settled("t"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_corpus_browser(snap_compare, frozen_engine, size):
    assert snap_compare(make_app(engine=frozen_engine), terminal_size=size, run_before=settled("escape", "b"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_entry(snap_compare, frozen_engine, size):
    app = make_app(engine=frozen_engine)
    assert snap_compare(app, terminal_size=size, run_before=settled("escape", "b", "down", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_help(snap_compare, frozen_engine, size):
    assert snap_compare(make_app(engine=frozen_engine), terminal_size=size, run_before=settled("escape", "question_mark"))


def test_copy_dialog(snap_compare, frozen_engine):
    app = make_app(text=EMPTY_LIST, engine=frozen_engine)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled("c"))


def test_open_dialog(snap_compare, frozen_engine):
    assert snap_compare(make_app(engine=frozen_engine), terminal_size=(80, 24), run_before=settled("escape", "o"))

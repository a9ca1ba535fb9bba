"""The pure drawing helpers of the TUI: bars, fixes, evidence with folded frames, corpus search."""

from __future__ import annotations

from kbfix import traceback
from kbfix.corpus import load
from kbfix.model import Evidence
from kbfix.tui import view

from .support import DATA, EMPTY_LIST, ZERO2


def test_confidence_bar_fills_in_eighths_and_colours_by_threshold():
    full = view.confidence_bar(1.0, 0.5, width=4)
    assert full.plain == "████ 1.00"
    half = view.confidence_bar(0.5625, 0.5, width=4)  # 2.25 cells
    assert half.plain.startswith("██▎░") and half.plain.endswith("0.56")
    assert view.confidence_bar(0.0, 0.5, width=4).plain == "░░░░ 0.00"
    assert view.confidence_bar(0.9, 0.5).style == "green"
    assert view.confidence_bar(0.1, 0.5).style == "red"


def test_fix_prompt_and_copy_text():
    data = {"title": "Unfreeze", "applicability": "unsafe", "commands": ["a --b", "c"], "change": "x: 1",
            "verification": {"kind": "check", "passed": None, "versions": {}, "check": "x is 1"}}
    shown = view.fix_prompt(2, data).plain
    assert shown.startswith("2. [unsafe] Unfreeze")
    assert "$ a --b" in shown and "x: 1" in shown and "verification: check (not run yet)" in shown
    assert "check: x is 1" in shown
    assert view.copy_text(data) == "a --b\nc"
    assert view.copy_text({**data, "commands": []}) == "x: 1"


def test_traceback_view_marks_evidence_and_folds_library_frames():
    log = traceback.parse(ZERO2)
    trace = log.traces[-1]
    error_line = trace.final.line
    folded = view.traceback_view(log, trace, {error_line}, fold=True).plain
    assert "library frames folded" in folded
    assert f"{error_line + 1} ▶ IndexError: list index out of range" in folded
    unfolded = view.traceback_view(log, trace, {error_line}, fold=False).plain
    assert "folded (" not in unfolded and "site-packages/transformers/trainer.py" in unfolded
    assert len(unfolded.splitlines()) > len(folded.splitlines())


def test_traceback_view_keeps_user_frames_and_marked_lines_outside_the_trace():
    log = traceback.parse(EMPTY_LIST)
    trace = log.traces[-1]
    shown = view.traceback_view(log, trace, set(), fold=True).plain
    assert "train_clip.py" in shown  # the user's own frame is never folded
    assert "torch/optim/optimizer.py" not in shown
    assert "2 library frames folded (torch)" in shown
    lines = [f"line {i}" for i in range(50)] + EMPTY_LIST.splitlines()
    log = traceback.parse("\n".join(lines))
    shown = view.traceback_view(log, log.traces[-1], {3}, fold=True).plain
    assert "4 ▶ line 3" in shown and "⋯" in shown


def test_evidence_list_names_each_kind():
    from kbfix.model import Match

    entry = load(DATA / "corpus", strict=False).get("no-trainable-parameters")
    match = Match(entry, 0.9, (Evidence("signature", "sig matched", (3,)), Evidence("finding", "refuted", weight=-12)),
                  {}, {})
    assert view.evidence_list(match).plain == "• signature: sig matched\n• finding: refuted"
    assert view.marked_lines(match) == {3}


def test_search_entries_by_words_tags_and_libraries():
    entries = load(DATA / "corpus", strict=False).entries
    ids = lambda query: [e.id for e in view.search_entries(entries, query)]
    assert len(ids("")) == 4
    assert ids("tag:peft") == [e.id for e in entries if "peft" in e.tags]
    assert "no-trainable-parameters" in ids("lib:deepspeed")  # its tags and its frame patterns name it
    assert ids("lib:llama-factory") == ids("lib:llamafactory")
    assert ids("EMPTY parameter") == ["no-trainable-parameters"]
    assert ids("优化器")[0] == "no-trainable-parameters"  # Chinese titles count, before body-only hits
    assert ids("tag:peft zzz") == []

"""``kbfix lsp``: the real language server over stdio, driven by pygls' real language client."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kbfix
from kbfix.editors.lsp_stream import BIG

from .support import APPLICABILITY, ROOT, LspSession, fixes_of

pytest.importorskip("pygls")
from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

EXAMPLE = ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log"
TRAIN = """import torch

model = torch.nn.Linear(4, 4)
for parameter in model.parameters():
    parameter.requires_grad_(False)
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A project with a training script that fails for real, and its log."""
    root = tmp_path_factory.mktemp("project")
    (root / "train.py").write_text(TRAIN)
    run = subprocess.run([sys.executable, "train.py"], cwd=root, capture_output=True, text=True, timeout=120)
    assert "optimizer got an empty parameter list" in run.stderr
    (root / "run.log").write_text(run.stdout + run.stderr)
    (root / "example.log").write_text(EXAMPLE.read_text())
    return root


@pytest.fixture(scope="module")
def server(workspace):
    session = LspSession(workspace)
    yield session
    session.close()


def confidence_of(text: str) -> str:
    """How the editor should show the confidence the engine gives this log."""
    return f"confidence {kbfix.diagnose(text).matches[0].confidence:.2f}"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


def test_capabilities(server):
    capabilities = server.initialized.capabilities
    assert capabilities.hover_provider and capabilities.code_action_provider
    assert capabilities.text_document_sync.change == types.TextDocumentSyncKind.Full


def test_root_cause_line_gets_title_and_confidence_and_the_warning_its_line(server, workspace):
    text = (workspace / "example.log").read_text()
    uri = server.open(workspace / "example.log")
    found = server.wait(uri)
    error = [d for d in found if d.severity == types.DiagnosticSeverity.Error]
    assert len(error) == 1 and error[0].code == "no-trainable-parameters"
    assert error[0].range.start.line == line_of(text, "IndexError: list index out of range")
    assert "Every parameter is frozen" in error[0].message and confidence_of(text) in error[0].message
    warning = [d for d in found if d.severity == types.DiagnosticSeverity.Warning]
    assert [w.code for w in warning] == ["no-trainable-parameters"]
    assert warning[0].range.start.line == line_of(text, "trainable params: 0")
    assert all(d.source == "kbfix" for d in found)


def test_hover_explains_and_lists_fixes_with_applicability(server, workspace):
    text = (workspace / "example.log").read_text()
    uri = server.open(workspace / "example.log")
    server.wait(uri)
    hover = server.hover(uri, line_of(text, "IndexError: list index out of range")).contents.value
    assert "Every parameter is frozen" in hover and confidence_of(text) in hover
    assert "**[safe]**" in hover and "Evidence" in hover and "optimizer was built over zero trainable" in hover
    assert "no parameter is trainable" in server.hover(uri, line_of(text, "trainable params: 0")).contents.value
    assert server.hover(uri, 0) is None  # a line of the log unrelated to the error


def test_code_actions_copy_each_fix_into_a_scratch_file_and_run_nothing(server, workspace, _isolated_cache):
    uri = server.open(workspace / "example.log")
    error = next(d for d in server.wait(uri) if d.severity == types.DiagnosticSeverity.Error)
    actions = server.code_actions(uri, error)
    fixes = fixes_of("no-trainable-parameters")  # one action per fix of the entry, in its order
    assert len(actions) == len(fixes) and all(a.kind == types.CodeActionKind.QuickFix for a in actions)
    assert [f"[{fix.applicability}]" in action.title for fix, action in zip(fixes, actions)] == [True] * len(fixes)
    assert actions[0].is_preferred and "[safe]" in actions[0].title and "[display-only]" in actions[1].title
    scratch = _isolated_cache / "fix.sh"
    for action in actions:
        assert action.command is None  # an edit to look at, never a command to run
        create, edit = action.edit.document_changes
        assert isinstance(create, types.CreateFile) and create.uri == from_fs_path(str(scratch))
        assert edit.text_document.uri == create.uri
        script = edit.edits[0].new_text
        assert "Nothing here has been run" in script and "no-trainable-parameters" in script
        assert str(scratch).replace(str(__import__("pathlib").Path.home()), "~", 1) in action.title
    assert "freeze_language_model" in actions[0].edit.document_changes[-1].edits[0].new_text
    assert not scratch.exists()  # the server wrote nothing: applying the edit is the client's choice
    assert not (workspace / ".kbfix").exists()


def test_a_frame_in_the_users_own_code_gets_a_diagnostic_too(server, workspace):
    text = (workspace / "run.log").read_text()
    server.forget(from_fs_path(str((workspace / "train.py").resolve())))
    uri = server.open(workspace / "run.log")
    log_error = next(d for d in server.wait(uri) if d.severity == types.DiagnosticSeverity.Error)
    assert log_error.range.start.line == line_of(text, "ValueError: optimizer got an empty parameter list")
    source = server.wait(from_fs_path(str((workspace / "train.py").resolve())))
    assert len(source) == 1 and source[0].code == "no-trainable-parameters"
    line = line_of(TRAIN, "optimizer = torch.optim.AdamW")
    assert source[0].range.start.line == line and source[0].range.start.character == 0
    assert source[0].range.end.character == len(TRAIN.split("\n")[line])
    assert "run.log" in source[0].message
    assert source[0].related_information[0].location.uri == uri


def test_a_traceback_from_another_machine_maps_to_the_workspace_file(server, workspace):
    text = (workspace / "run.log").read_text().replace(str(workspace), "/home/someone/project")
    moved = workspace / "remote.log"
    moved.write_text(text)
    train = from_fs_path(str((workspace / "train.py").resolve()))
    server.forget(train)
    uri = server.open(moved)
    server.wait(uri)
    source = server.wait(train)
    assert any(d.data["log"] == uri for d in source)


def test_closing_the_log_clears_its_diagnostics(server, workspace):
    uri = server.open(workspace / "run.log")
    server.wait(uri)
    train = from_fs_path(str((workspace / "train.py").resolve()))
    server.wait(train)
    if (workspace / "remote.log").exists():
        remote = from_fs_path(str(workspace / "remote.log"))
        server.close_document(remote)
        assert server.wait(remote) == []
    server.close_document(uri)
    assert server.wait(uri) == []
    server.wait_until(train, lambda found: found == [])  # it goes with the last log that named it


def test_python_sources_are_left_alone(server, workspace):
    uri = server.open(workspace / "train.py", language="python")
    probe = server.open(workspace / "example.log")
    server.wait(probe)  # the server handled the later document, so it has seen the earlier one
    assert uri not in server.diagnostics


def test_a_big_log_is_streamed_and_lines_stay_right(server, workspace):
    noise = "".join(f"{{'loss': {1 + i % 7 / 10:.4f}, 'grad_norm': 0.93, 'learning_rate': 1e-05, 'epoch': 0.{i}}}\n"
                    " 12%|█▏        | 120/1000 [00:10<01:20, 11.0it/s]\r 13%|█▎        | 130/1000 [00:11<01:19]\n"
                    for i in range(20000))
    text = noise + EXAMPLE.read_text()
    assert len(text.encode()) > 3 * BIG  # streamed: pygls never holds the text
    big = workspace / "big.log"
    big.write_text(text)
    uri = server.open(big, text)
    found = server.wait(uri, timeout=120)
    error = next(d for d in found if d.severity == types.DiagnosticSeverity.Error)
    assert error.range.start.line == line_of(text, "IndexError: list index out of range")
    warning = next(d for d in found if d.severity == types.DiagnosticSeverity.Warning)
    assert warning.range.start.line == line_of(text, "trainable params: 0")


def test_chinese_from_the_clients_locale(workspace):
    session = LspSession(workspace, locale="zh-CN")
    try:
        uri = session.open(workspace / "example.log")
        error = next(d for d in session.wait(uri) if d.severity == types.DiagnosticSeverity.Error)
        assert "置信度" in error.message and "冻结" in error.message
        assert "修复方法" in session.hover(uri, error.range.start.line).contents.value
    finally:
        session.close()


def test_an_unmatched_error_says_so_without_guessing(server, workspace):
    log = workspace / "django.log"
    log.write_text('Traceback (most recent call last):\n  File "/srv/app/views.py", line 12, in index\n'
                   '    return render(request)\nAttributeError: \'AnonymousUser\' object has no attribute \'profile\'\n')
    found = server.wait(server.open(log))
    assert [d.severity for d in found] == [types.DiagnosticSeverity.Information]
    assert "no confident match" in found[0].message and found[0].range.start.line == 3
    assert server.code_actions(from_fs_path(str(log)), found[0]) == []
    assert APPLICABILITY  # (the fixes of a match carry one of these; none is offered here)

"""``kbfix lsp``: a language server (pygls) that diagnoses the logs open in an editor.

On each log the client sends (``*.log``, ``*.txt``, or whatever its configuration routes here;
Python sources are left alone, as they receive the diagnostics below):

- a diagnostic on the root-cause line (the exception line of the error kbfix chose), with the
  entry's title and confidence; with no confident match, an information diagnostic that says so;
- a warning on each early-warning line (``kbfix.watch``: NaN loss, ``trainable params: 0`` ...);
- when the failing traceback names a frame in the user's own code inside the workspace, a
  diagnostic on that line of that file too, pointing back to the log;
- hover on the error or a warning: the explanation, the fixes with their applicability, evidence;
- code actions, one per fix, that copy the fix into a scratch file: a ``WorkspaceEdit`` that
  creates ``fix.sh`` in kbfix's cache folder (``$KBFIX_CACHE_DIR``, ``~/.cache/kbfix``) holding the
  commands and the change, commented, under a header that says nothing was run. A language server
  cannot reach the clipboard, and a client-side copy command needs glue in every editor; a
  workspace edit is plain LSP, works in every client, and shows the text to the person before
  anything runs. The scratch file lives outside the project (nothing to commit by mistake), in a
  folder that exists (clients such as Neovim 0.7 create files but not folders). Nothing is executed.

The language follows the client's ``locale`` (``zh*`` -> Chinese), or ``initializationOptions``
``{"lang": "zh"}``, or ``$KBFIX_LANG``. Large documents are streamed (:mod:`lsp_stream`).
"""

from __future__ import annotations

import io
import itertools
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from kbfix import __version__
from kbfix.editors import answers, lsp_stream
from kbfix.model import Lang, Verdict

SOURCE = "kbfix"
SKIP_LANGUAGES = {"python"}
SKIP_SUFFIXES = {".py", ".pyi", ".ipynb"}
SCRATCH = "fix.sh"
GENERIC_NAMES = {"__init__.py", "__main__.py", "main.py", "utils.py"}
LABELS = {
    "en": {"confidence": "confidence", "no_match": "kbfix: no confident match for this error",
           "nearest": "nearest", "fixes": "Fixes", "evidence": "Evidence", "from_log": "the failing call in {log}",
           "copy": "kbfix: copy fix {n} [{applicability}] to {path}: {title}", "verification": "verification",
           "header": "Nothing here has been run. Review it, then run it yourself.", "see": "see"},
    "zh": {"confidence": "置信度", "no_match": "kbfix：这个错误没有可信的匹配", "nearest": "最接近",
           "fixes": "修复方法", "evidence": "证据", "from_log": "{log} 中失败的调用",
           "copy": "kbfix：把修复 {n} [{applicability}] 复制到 {path}：{title}", "verification": "验证方式",
           "header": "这里的内容没有运行过。请先检查，再自己运行。", "see": "参见"},
}


@dataclass
class Digest:
    """What the server keeps of one log: the excerpt's text, its line numbers, the watch's events."""

    text: str | None
    numbers: list[int | None]
    truncated: bool
    events: list = field(default_factory=list)
    problem: str | None = None


def digest(stream) -> Digest:
    """Read a log (a binary stream) as the CLI does: excerpt, line numbers, early warnings."""
    from kbfix.reader import InputError, check_text, read_stream
    from kbfix.watch import Watch

    events: list = []
    watch = Watch(events.append, errors=False)
    excerpt = read_stream(stream, on_lines=watch.feed)
    numbered = excerpt.numbered()
    try:
        text = check_text(excerpt)
    except InputError as exc:
        return Digest(None, [], excerpt.truncated, events, str(exc))
    return Digest(text, [n for n, _ in numbered], excerpt.truncated, events)


@dataclass
class Analysis:
    uri: str
    lang: Lang
    report: object | None
    digest: Digest
    diagnostics: list[types.Diagnostic]
    error_lines: tuple[int, int] | None  # the chosen error's first and last line in the document
    user_frames: dict[str, list[types.Diagnostic]]


class KbfixServer(LanguageServer):
    def __init__(self):
        super().__init__("kbfix", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.lang: Lang = os.environ.get("KBFIX_LANG", "en") if os.environ.get("KBFIX_LANG") in ("en", "zh") else "en"
        self.analyses: dict[str, Analysis] = {}
        self.published_frames: set[str] = set()
        self.stdin: lsp_stream.Stdin | None = None
        self.lock = threading.Lock()

    # -- documents --

    def wanted(self, document: types.TextDocumentItem | None, uri: str) -> bool:
        language = getattr(document, "language_id", None)
        return language not in SKIP_LANGUAGES and Path(uri).suffix.lower() not in SKIP_SUFFIXES

    def digest_text(self, text: str) -> Digest:
        kept = self.stdin.take(text) if self.stdin is not None else None
        return kept if kept is not None else digest(io.BytesIO(text.encode("utf-8", "surrogatepass")))

    def analyse(self, uri: str, text: str) -> None:
        import kbfix

        kept = self.digest_text(text)
        report = None
        if kept.text is not None:
            report = kbfix.diagnose(kept.text, truncated=kept.truncated, engine=answers.engine())
        analysis = build(uri, self.lang, report, kept, self.workspace_roots())
        with self.lock:
            self.analyses[uri] = analysis
        self.publish(uri)

    def forget(self, uri: str) -> None:
        with self.lock:
            self.analyses.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.publish(None)

    def publish(self, uri: str | None) -> None:
        with self.lock:
            analyses = list(self.analyses.values())
        if uri is not None and uri in self.analyses:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=self.analyses[uri].diagnostics))
        merged: dict[str, list[types.Diagnostic]] = {}
        for analysis in analyses:
            for target, found in analysis.user_frames.items():
                merged.setdefault(target, []).extend(found)
        for target in set(merged) | self.published_frames:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=target, diagnostics=merged.get(target, [])))
        self.published_frames = set(merged)

    def workspace_roots(self) -> list[Path]:
        roots = []
        workspace = self.workspace
        for folder in (workspace.folders or {}).values():
            roots.append(Path(to_fs_path(folder.uri)))
        if workspace.root_path:
            roots.append(Path(workspace.root_path))
        return list(dict.fromkeys(r.resolve() for r in roots if r))


# --- analysis: pure functions of a report -----------------------------------------------------

def build(uri: str, lang: Lang, report, kept: Digest, roots: list[Path]) -> Analysis:
    from kbfix.render import error_line, match_json

    diagnostics: list[types.Diagnostic] = []
    error_lines = None
    user_frames: dict[str, list[types.Diagnostic]] = {}
    words = LABELS[lang]
    for event in kept.events:
        message = f"kbfix: {event.message.get(lang)}" + (f" ({words['see']} {event.entry})" if event.entry else "")
        diagnostics.append(types.Diagnostic(range=_line_range(event.line - 1), message=message, source=SOURCE,
                                            severity=types.DiagnosticSeverity.Warning, code=event.id,
                                            data={"warning": event.id, "entry": event.entry}))
    if report is not None and report.error is not None and report.verdict != Verdict.NO_ERROR:
        trace = report.error
        line = _original(kept.numbers, trace.final.line)
        first, last = _original(kept.numbers, trace.start), _original(kept.numbers, trace.end)
        error_lines = (min(first, line), max(last, line))
        best = report.best
        if best is not None:
            data = match_json(best, lang)
            message = f"kbfix: {data['title']} ({words['confidence']} {best.confidence:.2f})"
            severity = types.DiagnosticSeverity.Error
            code = best.entry.id
            related_title = message
        else:
            weak = ", ".join(f"{m.entry.id} ({m.confidence:.2f})" for m in report.matches if m.confidence >= 0.02)
            message = words["no_match"] + (f"; {words['nearest']}: {weak}" if weak else "")
            severity = types.DiagnosticSeverity.Information
            code = "no-match"
            related_title = message
        href = best.entry.references[0] if best is not None and best.entry.references else None
        diagnostics.append(types.Diagnostic(
            range=_line_range(line), message=message, source=SOURCE, severity=severity, code=code,
            code_description=types.CodeDescription(href=href) if href else None,
            data={"entry": best.entry.id if best else None, "error": error_line(trace, lang, where=False)}))
        log_name = Path(to_fs_path(uri) or uri).name
        for frame in _user_frames(trace.final.frames, roots):
            path, lineno = frame
            target = from_fs_path(str(path))
            related = [types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=_line_range(line)), message=related_title)]
            user_frames.setdefault(target, []).append(types.Diagnostic(
                range=_source_range(path, lineno - 1), source=SOURCE, severity=severity, code=code,
                message=f"{message}: {words['from_log'].format(log=log_name)}", related_information=related,
                data={"entry": best.entry.id if best else None, "log": uri}))
    return Analysis(uri, lang, report, kept, diagnostics, error_lines, user_frames)


def _original(numbers: list[int | None], index: int) -> int:
    """The document line of the excerpt's line ``index`` (gap lines take the line before them)."""
    if not numbers:
        return 0
    index = max(0, min(index, len(numbers) - 1))
    while index > 0 and numbers[index] is None:
        index -= 1
    return numbers[index] or 0


def _line_range(line: int) -> types.Range:
    return types.Range(start=types.Position(line=max(0, line), character=0),
                       end=types.Position(line=max(0, line) + 1, character=0))


def _source_range(path: Path, line: int) -> types.Range:
    """The code on ``line`` of ``path``, without its indentation."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = next(itertools.islice(handle, line, None), None)
    except OSError:
        text = None  # the file cannot be read now
    if text is None:  # unreadable, or shorter than the traceback says: mark the whole line
        return _line_range(line)
    stripped = text.rstrip("\r\n")
    start = len(stripped) - len(stripped.lstrip())
    return types.Range(start=types.Position(line=line, character=start),
                       end=types.Position(line=line, character=len(stripped)))


def _user_frames(frames, roots: list[Path]) -> list[tuple[Path, int]]:
    """Frames of the user's own code that are files in the workspace, with their line numbers.

    A traceback from another machine or a container names ``/home/me/proj/train.py``; the workspace
    may be ``/work/proj``: the longest tail of the path that exists under a workspace root wins.
    """
    found: list[tuple[Path, int]] = []
    for frame in frames:
        if not frame.is_user or not frame.lineno or frame.filename.startswith("<"):
            continue
        path = _in_workspace(frame.filename, roots)
        if path is not None and (path, frame.lineno) not in found:
            found.append((path, frame.lineno))
    return found


def _file_under(path: Path, root: Path) -> Path | None:
    """``path`` resolved, if it is a file inside ``root``; None when it is outside or cannot be read
    (then the caller tries the path's tail under the root)."""
    try:
        resolved = path.resolve()
        resolved.relative_to(root)
    except (ValueError, OSError):
        return None
    return resolved if resolved.is_file() else None


def _in_workspace(filename: str, roots: list[Path]) -> Path | None:
    given = Path(filename.replace("\\", "/"))
    for root in roots:
        if given.is_absolute():
            inside = _file_under(given, root)
            if inside is not None:
                return inside
        parts = [p for p in given.parts if p not in ("/", "")]
        for start in range(len(parts)):
            if start == len(parts) - 1 and len(parts) > 1 and parts[-1] in GENERIC_NAMES:
                break  # "__init__.py" alone says nothing about which package it was
            candidate = root.joinpath(*parts[start:])
            if candidate.is_file():
                return candidate.resolve()
    return None


# --- hover and code actions -------------------------------------------------------------------

def hover_text(analysis: Analysis, line: int) -> str | None:
    from kbfix.render import match_json, say

    lang = analysis.lang
    words = LABELS[lang]
    for event in analysis.digest.events:
        if event.line - 1 == line:
            text = f"**kbfix** — {event.message.get(lang)}"
            if event.entry:
                text += f"\n\n{words['see']} `kbfix corpus show {event.entry}`"
            return text
    if analysis.error_lines is None or not analysis.error_lines[0] <= line <= analysis.error_lines[1]:
        return None
    report = analysis.report
    best = report.best
    if best is None:
        weak = "\n".join(f"- `{m.entry.id}` ({m.confidence:.2f}): {m.entry.title.get(lang)}" for m in report.matches)
        return f"**{words['no_match']}**\n\n{weak}"
    data = match_json(best, lang)
    parts = [f"### {data['title']}", f"`{best.entry.id}` · {words['confidence']} {best.confidence:.2f}", "",
             data["explanation"], "", f"**{words['fixes']}**"]
    for number, fix in enumerate(data["fixes"], 1):
        parts.append(f"{number}. **[{fix['applicability']}]** {fix['title']}")
        parts += [f"   ```\n   {command}\n   ```" for command in fix["commands"]]
    parts += ["", f"**{words['evidence']}**"] + [f"- [{e.kind}] {say(e.detail, lang)}" for e in best.evidence]
    return "\n".join(parts)


def scratch_path(log_uri: str) -> Path:
    """Where fixes are copied: kbfix's cache folder, else beside the log."""
    from kbfix import cache

    folder = cache.ensure_dir()
    if folder is not None:
        return folder / SCRATCH
    return Path(to_fs_path(log_uri)).parent / f"kbfix-{SCRATCH}"


def fix_actions(analysis: Analysis, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """One action per fix: a workspace edit that writes it into the scratch file; nothing runs."""
    from kbfix.render import match_json

    report = analysis.report
    if report is None or report.best is None:
        return []
    lang = analysis.lang
    words = LABELS[lang]
    best = report.best
    data = match_json(best, lang)
    path = scratch_path(analysis.uri)
    script = from_fs_path(str(path))
    shown = str(path).replace(os.path.expanduser("~"), "~", 1)
    ours = [d for d in diagnostics if d.source == SOURCE] or None
    actions = []
    for number, fix in enumerate(data["fixes"], 1):
        verification = fix["verification"]
        lines = [f"# kbfix: fix {number} of {len(data['fixes'])} for {best.entry.id} ({data['title']})",
                 f"# {words['confidence']} {best.confidence:.2f}; applicability: {fix['applicability']}; "
                 f"{words['verification']}: {verification.get('kind', 'none')}",
                 f"# {words['header']}", f"# {fix['title']}"]
        lines += fix["commands"]
        lines += [f"# {line}" for line in fix["change"].split("\n") if fix["change"]]
        content = "\n".join(lines) + "\n"
        edit = types.WorkspaceEdit(document_changes=[
            types.CreateFile(uri=script, options=types.CreateFileOptions(overwrite=True)),
            types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(uri=script, version=None),
                                   edits=[types.TextEdit(range=_start(), new_text=content)]),
        ])
        title = words["copy"].format(n=number, applicability=fix["applicability"], path=shown, title=fix["title"])
        actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=ours, edit=edit,
                                        is_preferred=number == 1 and fix["applicability"] == "safe"))
    return actions


def _start() -> types.Range:
    return types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))


# --- the server -------------------------------------------------------------------------------

def make_server() -> KbfixServer:
    server = KbfixServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: KbfixServer, params: types.InitializeParams):
        options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        wanted = options.get("lang") or params.locale or ""
        if wanted:
            ls.lang = "zh" if str(wanted).lower().startswith("zh") else "en"
        threading.Thread(target=_warm, name="kbfix-warm", daemon=True).start()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KbfixServer, params: types.DidOpenTextDocumentParams):
        document = params.text_document
        if ls.wanted(document, document.uri):
            ls.analyse(document.uri, document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KbfixServer, params: types.DidChangeTextDocumentParams):
        uri = params.text_document.uri
        if uri in ls.analyses and params.content_changes:
            ls.analyse(uri, params.content_changes[-1].text)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KbfixServer, params: types.DidCloseTextDocumentParams):
        if params.text_document.uri in ls.analyses:
            ls.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: KbfixServer, params: types.HoverParams):
        analysis = ls.analyses.get(params.text_document.uri)
        text = hover_text(analysis, params.position.line) if analysis else None
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: KbfixServer, params: types.CodeActionParams):
        analysis = ls.analyses.get(params.text_document.uri)
        if analysis is None or analysis.error_lines is None:
            return None
        first, last = analysis.error_lines
        if params.range.end.line < first or params.range.start.line > last:
            return None
        return fix_actions(analysis, list(params.context.diagnostics))

    return server


def _warm() -> None:
    try:
        answers.warm()
    except Exception as exc:  # noqa: BLE001 - said once here; the first diagnosis reports it properly
        print(f"kbfix lsp: could not load the engine ahead of the first log: {exc}", file=sys.stderr)


def main() -> int:
    server = make_server()
    server.stdin = lsp_stream.Stdin(sys.stdin.buffer, digest)
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print from a library must not corrupt the protocol stream
    server.start_io(stdin=server.stdin, stdout=protocol_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

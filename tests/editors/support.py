"""Drive the real servers over stdio with real clients: the MCP SDK's client, pygls' language client."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPLICABILITY = {"safe", "unsafe", "display-only"}


class LoopThread:
    """An asyncio loop in a thread, so synchronous tests can hold one server across calls."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class McpSession:
    """``kbfix mcp`` started as a subprocess by the MCP SDK's ``Client`` (stdio transport).

    The client's context is entered and left in one task (anyio's cancel scopes require it); the
    calls come from other tasks on the same loop.
    """

    def __init__(self, cwd: Path = ROOT, env: dict | None = None, args: list[str] = ("mcp",)):
        from mcp import Client, StdioServerParameters

        self.loop = LoopThread()
        params = StdioServerParameters(command=sys.executable, args=["-m", "kbfix", *args], cwd=str(cwd),
                                       env={**os.environ, **(env or {})})
        self.client = Client(params)
        self.ready = threading.Event()
        self.closing = None
        self.holder = asyncio.run_coroutine_threadsafe(self._hold(), self.loop.loop)
        if not self.ready.wait(120):
            raise RuntimeError(f"kbfix mcp did not start: {self.holder.exception(1) if self.holder.done() else ''}")

    async def _hold(self):
        self.closing = asyncio.Event()
        try:
            async with self.client:
                self.ready.set()
                await self.closing.wait()
        finally:
            self.ready.set()

    def tools(self):
        return self.loop.run(self.client.list_tools()).tools

    def call(self, name: str, arguments: dict):
        return self.loop.run(self.client.call_tool(name, arguments))

    def close(self):
        try:
            self.loop.loop.call_soon_threadsafe(self.closing.set)
            self.holder.result(30)
        finally:
            self.loop.stop()


def assert_entry_answer(data: dict, *, scored: bool = True) -> None:
    """What every tool answer says of an entry: confidence, evidence, fixes with their applicability."""
    assert "confidence" in data and "evidence" in data and data["fixes"], data.keys()
    if scored:
        assert isinstance(data["confidence"], float) and 0.0 <= data["confidence"] <= 1.0
    for evidence in data["evidence"]:
        assert evidence["kind"] and "detail" in evidence
    for fix in data["fixes"]:
        assert fix["applicability"] in APPLICABILITY and fix["title"]
        assert "verification" in fix and "commands" in fix


class LspSession:
    """``kbfix lsp`` started by pygls' ``LanguageClient`` over stdio; diagnostics collected per URI."""

    def __init__(self, root: Path, *, locale: str | None = "en", options: dict | None = None,
                 env: dict | None = None, args: list[str] = ("lsp",)):
        from lsprotocol import types
        from pygls.lsp.client import LanguageClient
        from pygls.uris import from_fs_path

        self.types = types
        self.loop = LoopThread()
        self.client = LanguageClient("kbfix-tests", "1")
        self.diagnostics: dict[str, list] = {}
        self.changed = threading.Condition()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(ls, params):
            with self.changed:
                self.diagnostics[params.uri] = list(params.diagnostics)
                self.changed.notify_all()

        self.loop.run(self.client.start_io(sys.executable, "-m", "kbfix", *args, cwd=str(ROOT),
                                           env={**os.environ, **(env or {})}))
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                apply_edit=True, workspace_edit=types.WorkspaceEditClientCapabilities(
                    document_changes=True, resource_operations=[types.ResourceOperationKind.Create])))
        self.initialized = self.loop.run(self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=from_fs_path(str(root)), locale=locale,
            initialization_options=options,
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name=root.name)])))
        self.notify(self.client.initialized, types.InitializedParams())

    def notify(self, method, params) -> None:
        """Send a notification from the loop's thread (the client's writer is not thread-safe)."""
        async def send():
            method(params)
        self.loop.run(send())

    def open(self, path: Path, text: str | None = None, language: str = "log") -> str:
        from pygls.uris import from_fs_path

        uri = from_fs_path(str(path))
        with self.changed:
            self.diagnostics.pop(uri, None)
        item = self.types.TextDocumentItem(uri=uri, language_id=language, version=1,
                                           text=path.read_text() if text is None else text)
        self.notify(self.client.text_document_did_open, self.types.DidOpenTextDocumentParams(text_document=item))
        return uri

    def forget(self, *uris: str) -> None:
        """Drop what was published for ``uris``: the next ``wait`` waits for a new publication."""
        with self.changed:
            for uri in uris:
                self.diagnostics.pop(uri, None)

    def close_document(self, uri: str) -> None:
        with self.changed:
            self.diagnostics.pop(uri, None)
        self.notify(self.client.text_document_did_close,
                    self.types.DidCloseTextDocumentParams(text_document=self.types.TextDocumentIdentifier(uri=uri)))

    def wait(self, uri: str, timeout: float = 60.0) -> list:
        with self.changed:
            if not self.changed.wait_for(lambda: uri in self.diagnostics, timeout):
                raise TimeoutError(f"no diagnostics published for {uri}")
            return self.diagnostics[uri]

    def wait_until(self, uri: str, predicate, timeout: float = 60.0) -> list:
        """Wait until what was published for ``uri`` satisfies ``predicate``."""
        with self.changed:
            if not self.changed.wait_for(lambda: uri in self.diagnostics and predicate(self.diagnostics[uri]), timeout):
                raise TimeoutError(f"diagnostics for {uri}: {self.diagnostics.get(uri)}")
            return self.diagnostics[uri]

    def hover(self, uri: str, line: int):
        t = self.types
        return self.loop.run(self.client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=line, character=0))))

    def code_actions(self, uri: str, diagnostic) -> list:
        t = self.types
        return self.loop.run(self.client.text_document_code_action_async(t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
            context=t.CodeActionContext(diagnostics=[diagnostic])))) or []

    def close(self):
        try:
            self.loop.run(self.client.shutdown_async(None), timeout=30)
            self.notify(self.client.exit, None)
            self.loop.run(self.client.stop(), timeout=30)
        finally:
            self.loop.stop()


def fixes_of(entry_id: str):
    """The fixes of a corpus entry, in its order (an editor shows one action per fix)."""
    from kbfix import corpus

    return next(e for e in corpus.load(strict=False).entries if e.id == entry_id).fixes

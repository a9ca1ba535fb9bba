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

    def __init__(self, cwd: Path = ROOT, env: dict | None = None):
        from mcp import Client, StdioServerParameters

        self.loop = LoopThread()
        params = StdioServerParameters(command=sys.executable, args=["-m", "kbfix", "mcp"], cwd=str(cwd),
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

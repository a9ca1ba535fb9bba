"""Time the editor integrations against the command line (not a test: numbers for the README).

    python scripts/bench_editors.py [--runs 7] [--lsp-mb 100]

- CLI cold: ``kbfix diagnose FILE --json`` as a new process, start to exit (median).
- MCP cold: ``kbfix mcp`` started by the SDK's client; the first ``diagnose_log`` call right after
  the handshake, and spawn-to-answer (process start, handshake and that call).
- MCP warm: later ``diagnose_log`` calls on the same server, round trip over stdio (p50, p95).
- LSP: a log of ``--lsp-mb`` MB opened in ``kbfix lsp`` by a bare JSON-RPC client: time from the
  first byte of ``didOpen`` to the diagnostics (the client's own serialization is reported apart),
  and the server's peak and final RSS (VmHWM, VmRSS).

Two logs: a signature decides the first (the common case); the second needs dense retrieval.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNATURE = ROOT / "corpus" / "no-trainable-parameters" / "cases" / "match-llamafactory-deepspeed-zero2.txt"
HYBRID = ROOT / "scripts" / "eval" / "blind" / "fp16-nan-overflow__qwen-loss-zero-gradnorm-nan.txt"
EXAMPLE = ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log"


def cli_cold(path: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kbfix", "diagnose", str(path), "--json"], cwd=ROOT,
                       capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def mcp_once(path: Path, warm_calls: int) -> dict:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "kbfix", "mcp"], cwd=str(ROOT))
    text = path.read_text()
    spawned = time.perf_counter()
    async with Client(params) as client:
        ready = time.perf_counter()
        result = await client.call_tool("diagnose_log", {"text": text})
        answered = time.perf_counter()
        assert not result.is_error, result.content
        warm = []
        for _ in range(warm_calls):
            start = time.perf_counter()
            await client.call_tool("diagnose_log", {"text": text})
            warm.append(time.perf_counter() - start)
    return {"first_call": answered - ready, "spawn_to_answer": answered - spawned, "warm": warm}


def mcp(path: Path, runs: int) -> dict:
    first, total, warm = [], [], []
    for i in range(runs):
        one = asyncio.run(mcp_once(path, 60 if i == 0 else 0))
        first.append(one["first_call"])
        total.append(one["spawn_to_answer"])
        warm += one["warm"][10:]
    warm.sort()
    return {"first_call": statistics.median(first), "spawn_to_answer": statistics.median(total),
            "warm_p50": warm[len(warm) // 2] if warm else None,
            "warm_p95": warm[int(len(warm) * 0.95)] if warm else None}


def big_log(megabytes: int, folder: Path) -> Path:
    path = folder / f"big-{megabytes}mb.log"
    line = ("{'loss': 1.2874, 'grad_norm': 0.9312, 'learning_rate': 1.9e-05, 'epoch': 0.41}\n"
            " 41%|████      | 4100/10000 [1:02:03<1:29:17, 1.10it/s]\r 41%|████      | 4101/10000 [1:02:04<1:29:16]\n")
    block = line * 2000
    with open(path, "w", encoding="utf-8") as handle:
        written = 0
        while written < megabytes << 20:
            handle.write(block)
            written += len(block.encode())
        handle.write(EXAMPLE.read_text())
    return path


def memory(pid: int) -> dict:
    fields = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0]) / 1024
    return fields


class RawClient:
    """A bare JSON-RPC client over the server's stdio, as an editor is: it serializes the 100 MB
    message at its own speed (reported apart), then the clock runs from the first byte sent."""

    def __init__(self, command: list[str]):
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, payload: bytes) -> None:
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
        self.process.stdin.flush()

    def message(self, method: str, params, request: bool = False) -> bytes:
        data = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            data["id"] = self.next_id
        return json.dumps(data).encode()

    def receive(self) -> dict:
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its stdout")
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n") and length:
                return json.loads(self.process.stdout.read(length))

    def until(self, predicate) -> dict:
        while True:
            message = self.receive()
            if predicate(message):
                return message


def lsp_once(path: Path) -> dict:
    client = RawClient([sys.executable, "-m", "kbfix", "lsp"])
    root = path.parent.as_uri()
    client.send(client.message("initialize", {"processId": os.getpid(), "rootUri": root, "capabilities": {}},
                               request=True))
    client.until(lambda m: m.get("id") == 1)
    client.send(client.message("initialized", {}))
    time.sleep(2.0)  # the engine warms in a thread at initialize, as in an editor
    before = memory(client.process.pid)
    uri = path.as_uri()
    text = path.read_text()
    start = time.perf_counter()
    payload = client.message("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "log", "version": 1, "text": text}})
    serialized = time.perf_counter() - start
    del text
    start = time.perf_counter()
    client.send(payload)
    del payload
    published = client.until(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == uri)
    elapsed = time.perf_counter() - start
    after = memory(client.process.pid)
    errors = [d for d in published["params"]["diagnostics"] if d.get("severity") == 1]
    client.send(client.message("shutdown", None, request=True))
    client.until(lambda m: m.get("id") == client.next_id)
    client.send(client.message("exit", None))
    client.process.wait(30)
    return {"seconds": elapsed, "client_serialize_s": serialized, "rss_before_mb": before["VmRSS"],
            "peak_rss_mb": after["VmHWM"], "rss_after_mb": after["VmRSS"],
            "diagnostic": errors[0]["message"] if errors else None,
            "line": errors[0]["range"]["start"]["line"] if errors else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lsp-mb", type=int, default=100)
    parser.add_argument("--skip-lsp", action="store_true")
    args = parser.parse_args(argv)
    subprocess.run([sys.executable, "-m", "kbfix", "diagnose", str(HYBRID), "--json"], cwd=ROOT,
                   capture_output=True, check=False)  # build the index cache once
    out = {}
    for name, path in (("signature", SIGNATURE), ("hybrid", HYBRID)):
        cold = cli_cold(path, args.runs)
        served = mcp(path, max(3, args.runs // 2))
        out[name] = {"cli_cold_s": round(cold, 3), **{k: round(v, 4) for k, v in served.items() if v is not None},
                     "first_call_vs_cli": round(served["first_call"] / cold, 2),
                     "spawn_to_answer_vs_cli": round(served["spawn_to_answer"] / cold, 2)}
        print(name, json.dumps(out[name]), flush=True)
    if not args.skip_lsp:
        with tempfile.TemporaryDirectory() as folder:
            path = big_log(args.lsp_mb, Path(folder))
            out["lsp"] = {"megabytes": round(path.stat().st_size / (1 << 20), 1), **lsp_once(path)}
            print("lsp", json.dumps(out["lsp"], ensure_ascii=False), flush=True)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

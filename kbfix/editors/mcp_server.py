"""``kbfix mcp``: a Model Context Protocol server over stdio, on the official ``mcp`` Python SDK.

Agents (Claude Code, Claude Desktop, Cursor, VS Code, Zed, Codex-style CLIs) start it as a
subprocess and call its tools when a training or model-loading command fails. Each tool answers
with :mod:`kbfix.editors.answers`: ``diagnose_log`` returns exactly the ``kbfix --json`` report, and
every answer names each entry's confidence, evidence and fixes with their applicability. No tool
runs, writes or changes anything (every tool is annotated read-only); fixes are text to review.

The engine is loaded in a thread as soon as the server starts, so the first question, which
usually comes long after the client connected, is answered warm.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import threading
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from kbfix import __version__
from kbfix.editors import answers

INSTRUCTIONS = """kbfix diagnoses fine-tuning and model-loading errors offline (transformers, PEFT/LoRA,
DeepSpeed, accelerate, torch, LLaMA-Factory, JAX/Flax; Gemma, Qwen, Chinese-CLIP and others).
Call diagnose_log when a training, fine-tuning, evaluation or model-loading command fails with a
traceback or its log shows NaN losses, frozen parameters or weights newly initialized. Call
inspect_artifacts when a checkpoint, adapter or training config is suspect and there is no traceback.
Read the verdict: "match" names a root cause (confidence >= threshold); "no_match" lists weak
candidates only: do not present them as the cause; "no_error": the log holds no error.
kbfix never runs a fix. Fix applicability: "safe" keeps behaviour and may be applied after showing the
user; "unsafe" changes behaviour or results: ask the user first; "display-only" is advice to explain.
After applying a fix to artifacts, call verify_fix with the same paths."""

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
Lang = Annotated[str, Field(description="language of titles and explanations: 'en' or 'zh' (Chinese)")]
Paths = Annotated[list[str], Field(description="paths on this machine; relative ones are taken from the server's "
                                               "working directory (the project the agent works in)")]


def _answer(function, *args, **kwargs) -> dict[str, Any]:
    try:
        return function(*args, **kwargs)
    except answers.AnswerError as exc:
        raise ToolError(str(exc)) from None


def make_server() -> MCPServer:
    server = MCPServer("kbfix", title="kbfix: fine-tuning error diagnosis", version=__version__,
                       instructions=INSTRUCTIONS, log_level="WARNING")

    def tool(title: str):
        """Register a read-only tool; its description is its docstring, as the agent should read it."""
        def register(function):
            server.add_tool(function, title=title, description=inspect.cleandoc(function.__doc__),
                            annotations=READ_ONLY, structured_output=True)
            return function
        return register

    @tool("Diagnose a training or model-loading error")
    def diagnose_log(
        text: Annotated[str | None, Field(description="the traceback or log text, as printed (any size; "
                                                       "ANSI colours, rank prefixes and progress bars are fine)")] = None,
        path: Annotated[str | None, Field(description="or: a log file to read instead of text")] = None,
        inspect: Annotated[list[str], Field(description="optional checkpoint, adapter or training-config "
                                                        "paths whose findings join the evidence")] = [],  # noqa: B006
        lang: Lang = "en",
        top: Annotated[int, Field(ge=1, le=20, description="how many candidate entries to return")] = 3,
    ) -> dict[str, Any]:
        """Diagnose a training or model-loading traceback, or the log of a failed fine-tuning run:
        transformers, PEFT/LoRA, DeepSpeed, accelerate, torch, LLaMA-Factory or JAX/Flax (CUDA OOM,
        NCCL timeouts, size mismatches, frozen parameters, fp16 NaN, tokenizer and checkpoint errors).
        Call it with the command's output as soon as such a command fails, before guessing a fix. Returns the same report as
        `kbfix --json`: verdict, matches (confidence, evidence, explanation, fixes with applicability
        and how each was verified), the parsed error, and notes. Runs nothing."""
        return _answer(answers.diagnose, text, path, lang=lang, top=top, inspect=inspect)

    @server.tool(title="Inspect checkpoints, adapters and training configs", annotations=READ_ONLY,
                 structured_output=True)
    def inspect_artifacts(paths: Paths, lang: Lang = "en",
                          top: Annotated[int, Field(ge=1, le=20)] = 3) -> dict[str, Any]:
        """Diagnose from artifacts when there is no traceback, or a run trained but the result is wrong:
        a checkpoint or model folder, a PEFT adapter, a LLaMA-Factory/TRL training YAML,
        trainer_state.json. Reads headers and configs only (no weights loaded). Returns a report like
        diagnose_log: findings per artifact and the entries they support, with confidence, evidence
        and fixes with their applicability."""
        return _answer(answers.inspect, paths, lang=lang, top=top)

    @tool("Show a knowledge-base entry")
    def show_entry(
        entry_id: Annotated[str, Field(description="an entry id, e.g. 'peft-lora-on-tied-lm-head'")],
        lang: Lang = "en",
        text: Annotated[str | None, Field(description="optional log text to score this entry against")] = None,
        path: Annotated[str | None, Field(description="optional log file to score this entry against")] = None,
    ) -> dict[str, Any]:
        """One root cause in full: what happened, why, every fix with its applicability, commands and
        verification, references. Call it to explain a match further or to look at a candidate the
        user asks about. Given the log, the entry's confidence and evidence for that log are filled
        in (otherwise confidence is null)."""
        return _answer(answers.show, entry_id, lang=lang, text=text, path=path)

    @tool("Search the knowledge base")
    def search_corpus(
        query: Annotated[str, Field(description="words ('lora lm_head tied'), tag:X, lib:X, or an error in prose")],
        lang: Lang = "en",
        limit: Annotated[int, Field(ge=1, le=50)] = 5,
    ) -> dict[str, Any]:
        """Find root causes kbfix knows by words, tags (tag:peft) or library (lib:deepspeed), or a
        symptom in prose ('loss is nan with fp16') when there is no traceback to diagnose. Each result
        is scored as if the query were the error text (confidence, evidence) and lists its fixes with
        their applicability."""
        return _answer(answers.search, query, lang=lang, limit=limit)

    @tool("Verify a fix against artifacts")
    def verify_fix(
        entry_id: Annotated[str, Field(description="the entry whose fix was applied")],
        paths: Paths,
        lang: Lang = "en",
    ) -> dict[str, Any]:
        """After a fix was applied (by the user, or by you with their consent), re-run the checks tied
        to that entry against the artifacts it changed (checkpoint, adapter, training config): passed
        or not, the facts behind it, and the entry's remaining confidence and evidence. Reads only."""
        return _answer(answers.verify, entry_id, paths, lang=lang)

    return server


def _warm() -> None:
    try:
        answers.warm()
    except Exception as exc:  # noqa: BLE001 - said once here; the first tool call reports it properly
        print(f"kbfix mcp: could not load the engine ahead of the first call: {exc}", file=sys.stderr)


def main() -> int:
    server = make_server()
    threading.Thread(target=_warm, name="kbfix-warm", daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # stopped by the client or the user: a normal end
        server.run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main())

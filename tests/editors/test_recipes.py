"""The recipes under kbfix/editors/recipes, run: the VS Code task and its problem matcher, the LSP
and MCP client configurations, and the Neovim setup in a headless Neovim when one is installed."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest

from kbfix.editors import RECIPES

from .support import ROOT, LspSession, McpSession, fixes_of

pytest.importorskip("mcp")
pytest.importorskip("pygls")

TRAIN = """import torch

model = torch.nn.Linear(4, 4)
for parameter in model.parameters():
    parameter.requires_grad_(False)
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
"""
KBFIX = f"{shlex.quote(sys.executable)} -m kbfix"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    return tmp_path


def matcher_problems(matcher: dict, output: str) -> list[dict]:
    """What VS Code's problem matcher makes of the task's output (a one-line pattern)."""
    pattern = matcher["pattern"]
    found = []
    for line in output.splitlines():
        match = re.match(pattern["regexp"], line)
        if match:
            found.append({key: match.group(pattern[key]) for key in ("file", "line", "severity", "message")})
    return found


def test_vscode_task_pipes_the_run_into_kbfix_json_and_the_matcher_finds_the_users_line(project):
    task = json.loads((RECIPES / "vscode" / "tasks.json").read_text())["tasks"][0]
    command = task["command"].replace("python train.py", f"{shlex.quote(sys.executable)} train.py")
    command = command.replace("| kbfix", f"| {KBFIX}")
    run = subprocess.run(["bash", "-c", command], cwd=project, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    terminal = run.stdout + run.stderr  # what the task's terminal shows
    problems = matcher_problems(task["problemMatcher"], terminal)
    assert problems == [{"file": str(project / "train.py"), "line": "6", "severity": "error",
                         "message": problems[0]["message"]}], terminal[-3000:]
    report = json.loads((project / ".kbfix" / "diagnosis.json").read_text())
    assert report["verdict"] == "match" and report["matches"][0]["id"] == "no-trainable-parameters"
    confidence = f"confidence {report['matches'][0]['confidence']:.2f}"
    assert "Every parameter is frozen" in problems[0]["message"] and confidence in problems[0]["message"]
    events = [json.loads(line) for line in (project / ".kbfix" / "events.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "diagnosis" and any(e["event"] == "error" for e in events)
    assert "optimizer got an empty parameter list" in terminal  # the log went by in the terminal


def test_vscode_generic_lsp_client_settings_start_a_working_server(project):
    settings = json.loads((RECIPES / "vscode" / "settings.json").read_text())
    assert settings["glspc.server.command"] == "kbfix" and settings["glspc.server.commandArguments"] == ["lsp"]
    (project / "run.log").write_text((ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log").read_text())
    session = LspSession(project, locale=None, options=settings["glspc.server.initializationOptions"],
                         args=settings["glspc.server.commandArguments"])
    try:
        uri = session.open(project / "run.log", language=settings["glspc.server.languageId"][0])
        assert any(d.code == "no-trainable-parameters" and d.severity == 1 for d in session.wait(uri))
    finally:
        session.close()


def mcp_configs() -> dict[str, tuple[str, list[str]]]:
    """(command, args) of kbfix in every agent client's configuration shipped."""
    found = {}
    for path in sorted((RECIPES / "mcp").iterdir()) + [RECIPES / "vscode" / "mcp.json"]:
        if path.suffix == ".toml":
            server = tomllib.loads(path.read_text())["mcp_servers"]["kbfix"]
        else:
            data = json.loads(path.read_text())
            server = (data.get("mcpServers") or data.get("servers") or data.get("context_servers"))["kbfix"]
        found[path.name] = (server["command"], server["args"])
    return found


def test_every_agent_client_configuration_starts_the_server_and_lists_its_tools():
    configs = mcp_configs()
    assert {"claude_desktop_config.json", "claude-code.mcp.json", "cursor.mcp.json", "zed.settings.json",
            "codex.config.toml", "mcp.json"} <= set(configs)
    assert all(value == ("kbfix", ["mcp"]) for value in configs.values()), configs
    command, args = next(iter(configs.values()))
    session = McpSession(args=args)  # "kbfix" is this interpreter's `python -m kbfix`
    try:
        assert {tool.name for tool in session.tools()} == {"diagnose_log", "inspect_artifacts", "show_entry",
                                                          "search_corpus", "verify_fix"}
    finally:
        session.close()


NVIM_TEST = r"""
local ok, problem = pcall(function()
vim.g.kbfix_cmd = vim.fn.json_decode(os.getenv("KBFIX_CMD"))
dofile(os.getenv("RECIPE"))
vim.cmd("edit " .. os.getenv("LOG"))
local out = { diagnostics = {} }
vim.wait(90000, function() return #vim.diagnostic.get(0) > 1 end, 100)
local line = nil
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out.diagnostics, { lnum = d.lnum, severity = d.severity, message = d.message })
  if d.severity == vim.diagnostic.severity.ERROR then line = d.lnum end
end
if line ~= nil then
  local doc = { uri = vim.uri_from_bufnr(0) }
  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover",
    { textDocument = doc, position = { line = line, character = 0 } }, 30000)
  for _, r in pairs(hover or {}) do if r.result then out.hover = r.result.contents.value end end
  local actions = vim.lsp.buf_request_sync(0, "textDocument/codeAction", {
    textDocument = doc, range = { start = { line = line, character = 0 }, ["end"] = { line = line + 1, character = 0 } },
    context = { diagnostics = {} } }, 30000)
  for _, r in pairs(actions or {}) do
    for _, action in ipairs(r.result or {}) do
      out.actions = (out.actions or 0) + 1
      if not out.applied then
        vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
        vim.cmd("silent! wall")
        out.applied = action.title
      end
    end
  end
end
vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv("OUT"))
end)
if not ok then vim.fn.writefile({ vim.fn.json_encode({ error = tostring(problem) }) }, os.getenv("OUT")) end
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed (apt-get install -y neovim)")
def test_neovim_recipe_headless(project, tmp_path):
    cache = tmp_path / "cache"
    (project / ".git").mkdir()
    log = project / "run.log"
    log.write_text((ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log").read_text())
    script = tmp_path / "check.lua"
    script.write_text(NVIM_TEST)
    out = tmp_path / "out.json"
    env = {**__import__("os").environ, "KBFIX_CMD": json.dumps([sys.executable, "-m", "kbfix", "lsp"]),
           "RECIPE": str(RECIPES / "nvim" / "kbfix.lua"), "LOG": str(log), "OUT": str(out), "PYTHONPATH": str(ROOT),
           "KBFIX_CACHE_DIR": str(cache)}
    run = subprocess.run(["nvim", "--headless", "--clean", "-c", f"luafile {script}"], cwd=project, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.exists(), run.stderr[-2000:] + run.stdout[-2000:]
    result = json.loads(out.read_text())
    assert "error" not in result, result
    errors = [d for d in result["diagnostics"] if d["severity"] == 1]
    assert errors and "Every parameter is frozen" in errors[0]["message"]
    text = log.read_text().split("\n")
    assert "IndexError: list index out of range" in text[errors[0]["lnum"]]
    assert any(d["severity"] == 2 and "trainable params: 0" in text[d["lnum"]] for d in result["diagnostics"])
    assert "**[safe]**" in result["hover"]
    assert result["actions"] == len(fixes_of("no-trainable-parameters")) and "[safe]" in result["applied"]
    script_text = (cache / "fix.sh").read_text()
    assert "Nothing here has been run" in script_text and "freeze_language_model" in script_text

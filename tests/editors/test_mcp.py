"""``kbfix mcp``: the real server over stdio, called by the MCP SDK's real client."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import run_kbfix

from .support import ROOT, McpSession, assert_entry_answer

pytest.importorskip("mcp")

SCHEMA = json.loads((ROOT / "kbfix" / "schema" / "report.schema.json").read_text())
CASE = ROOT / "corpus" / "no-trainable-parameters" / "cases" / "match-llamafactory-deepspeed-zero2.txt"
EXAMPLE = ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log"
TOOLS = {"diagnose_log", "inspect_artifacts", "show_entry", "search_corpus", "verify_fix"}


@pytest.fixture(scope="module")
def server():
    session = McpSession()
    yield session
    session.close()


def structured(result) -> dict:
    assert not result.is_error, result.content
    text = json.loads(result.content[0].text)  # clients that read only text get the same object
    assert text == result.structured_content
    return result.structured_content


def test_tools_are_listed_read_only_and_say_when_to_call_them(server):
    tools = {tool.name: tool for tool in server.tools()}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
        assert tool.output_schema is not None and tool.description
    assert "training or model-loading" in tools["diagnose_log"].description
    assert "traceback" in tools["diagnose_log"].description
    assert "no traceback" in tools["inspect_artifacts"].description
    assert "After a fix was applied" in tools["verify_fix"].description


def test_diagnose_log_is_the_json_report_of_the_cli(server):
    text = CASE.read_text()
    data = structured(server.call("diagnose_log", {"text": text}))
    cli = json.loads(run_kbfix("diagnose", str(CASE), "--json").stdout)
    assert data == cli
    jsonschema.validate(data, SCHEMA)
    assert data["verdict"] == "match" and data["matches"][0]["id"] == "no-trainable-parameters"
    for match in data["matches"]:
        assert_entry_answer(match)


def test_diagnose_log_from_a_path_in_chinese(server):
    data = structured(server.call("diagnose_log", {"path": str(EXAMPLE.relative_to(ROOT)), "lang": "zh", "top": 1}))
    cli = json.loads(run_kbfix("diagnose", str(EXAMPLE), "--json", "--lang", "zh", "--top", "1").stdout)
    assert data == cli and len(data["matches"]) == 1
    assert "冻结" in data["matches"][0]["title"]


def test_inspect_artifacts_and_verify_fix(server, tmp_path):
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text("model_name_or_path: Qwen/Qwen2-VL-7B-Instruct\nstage: sft\nfinetuning_type: full\n"
                      "freeze_vision_tower: true\nfreeze_multi_modal_projector: true\nfreeze_language_model: true\n")
    data = structured(server.call("inspect_artifacts", {"paths": [str(frozen)]}))
    cli = json.loads(run_kbfix("inspect", str(frozen), "--json").stdout)
    assert data == cli and data["matches"][0]["id"] == "no-trainable-parameters"
    assert_entry_answer(data["matches"][0])
    assert any("no-trainable-parameters" in f["supports"] for f in data["findings"])

    before = structured(server.call("verify_fix", {"entry_id": "no-trainable-parameters", "paths": [str(frozen)]}))
    assert before["passed"] is False and before["facts"]["still_present"]
    assert_entry_answer(before["match"])
    assert before["match"]["confidence"] >= 0.5 and before["match"]["evidence"]
    frozen.write_text(frozen.read_text().replace("freeze_language_model: true", "freeze_language_model: false"))
    after = structured(server.call("verify_fix", {"entry_id": "no-trainable-parameters", "paths": [str(frozen)]}))
    assert after["passed"] is True and after["facts"]["cleared"]
    assert after["match"]["confidence"] < 0.5
    assert frozen.read_text().count("freeze_language_model: false") == 1  # verify read it, changed nothing


def test_show_entry_alone_and_scored_against_a_log(server):
    alone = structured(server.call("show_entry", {"entry_id": "peft-lora-on-tied-lm-head"}))
    assert_entry_answer(alone, scored=False)
    assert alone["confidence"] is None and "not scored" in alone["note"]
    assert alone["explanation"] and alone["references"]
    scored = structured(server.call("show_entry", {"entry_id": "no-trainable-parameters", "path": str(EXAMPLE)}))
    assert_entry_answer(scored)
    assert scored["confidence"] >= 0.5 and any(e["kind"] == "signature" for e in scored["evidence"])


def test_search_corpus_by_words_tags_and_prose(server):
    words = structured(server.call("search_corpus", {"query": "lm_head tied", "limit": 3}))
    assert words["results"][0]["id"] == "peft-lora-on-tied-lm-head"
    tag = structured(server.call("search_corpus", {"query": "tag:deepspeed", "limit": 50}))
    assert tag["results"] and all("deepspeed" in r["tags"] for r in tag["results"])
    prose = structured(server.call("search_corpus", {"query": "loss is nan with fp16", "lang": "zh"}))
    assert prose["results"][0]["id"] == "fp16-nan-overflow"
    for result in words["results"] + prose["results"]:
        assert_entry_answer(result)


@pytest.mark.parametrize("name, arguments, message", [
    ("diagnose_log", {"path": "no/such/train.log"}, "no such file"),
    ("diagnose_log", {}, "either as text or as a path"),
    ("diagnose_log", {"text": "\x00\x01\x02" * 100}, "binary"),
    ("diagnose_log", {"text": "ok", "lang": "fr"}, "lang must be"),
    ("show_entry", {"entry_id": "no-such-entry"}, "unknown entry"),
    ("verify_fix", {"entry_id": "no-trainable-parameters", "paths": ["no/such/dir"]}, "no such file"),
])
def test_bad_requests_are_tool_errors_that_say_why(server, name, arguments, message):
    result = server.call(name, arguments)
    assert result.is_error and message in result.content[0].text


def test_without_the_extra_kbfix_mcp_and_lsp_name_it_and_exit_2():
    blocker = ("import sys\n"
               "class Block:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name.split('.')[0] in ('mcp', 'pygls', 'lsprotocol'):\n"
               "            raise ModuleNotFoundError(name)\n"
               "sys.meta_path.insert(0, Block())\n"
               "from kbfix.cli import main\n"
               "sys.exit(main(sys.argv[1:]))\n")
    for command in ("mcp", "lsp"):
        proc = subprocess.run([sys.executable, "-c", blocker, command], capture_output=True, cwd=ROOT, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert b"pip install 'kbfix[editors]'" in proc.stderr and f"kbfix {command}".encode() in proc.stderr


def test_the_pipe_never_imports_mcp_pygls_or_torch():
    code = ("import sys, io\n"
            "sys.argv = ['kbfix', '--json']\n"
            f"sys.stdin = io.TextIOWrapper(io.BytesIO(open({str(CASE)!r}, 'rb').read()))\n"
            "from kbfix.cli import main\n"
            "code = main()\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'mcp', 'pygls', 'lsprotocol', 'torch', 'pydantic'})\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=120)
    assert b"HEAVY []" in proc.stderr, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["verdict"] == "match"

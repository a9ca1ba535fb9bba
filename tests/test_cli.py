"""The command-line contract: exit codes, pass-through, JSON schema, bad input."""

import json
import re
import signal
import subprocess
import sys
import time

import jsonschema
import pytest

from conftest import ROOT, run_kbfix

SCHEMA = json.loads((ROOT / "kbfix" / "schema" / "report.schema.json").read_text())
CASE = ROOT / "corpus" / "no-trainable-parameters" / "cases" / "match-llamafactory-deepspeed-zero2.txt"
GENERIC = b"""Traceback (most recent call last):
  File "/srv/app/views.py", line 12, in index
    return render(request, "index.html", {"user": request.user.profile})
AttributeError: 'AnonymousUser' object has no attribute 'profile'
"""


def test_diagnose_file_json_matches_schema():
    proc = run_kbfix("diagnose", str(CASE), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["verdict"] == "match"
    best = report["matches"][0]
    assert best["id"] == "no-trainable-parameters"
    assert best["confidence"] >= 0.5
    assert any(e["kind"] == "signature" for e in best["evidence"])
    assert report["error"]["type"] == "IndexError" and report["error"]["rank"] == 0
    assert {f["applicability"] for f in best["fixes"]} <= {"safe", "unsafe", "display-only"}


def test_pipe_passes_input_through_then_diagnoses():
    text = CASE.read_bytes()
    proc = run_kbfix(input=text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(text)  # the log stays visible, unchanged
    assert b"[no-trainable-parameters]" in proc.stdout[len(text):]


def test_pipe_json_keeps_stdout_pure():
    proc = run_kbfix("--json", input=CASE.read_bytes())
    assert proc.returncode == 0
    jsonschema.validate(json.loads(proc.stdout), SCHEMA)
    assert CASE.read_bytes() in proc.stderr  # passed through on stderr instead


def test_stdin_dash_and_top():
    proc = run_kbfix("diagnose", "-", "--json", "--top", "1", input=CASE.read_bytes())
    assert proc.returncode == 0
    assert len(json.loads(proc.stdout)["matches"]) == 1


def test_generic_error_is_no_match_exit_1():
    proc = run_kbfix("diagnose", "-", "--json", input=GENERIC)
    assert proc.returncode == 1, proc.stdout
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["verdict"] == "no_match"
    assert report["error"]["type"] == "AttributeError"


def test_chinese_output():
    proc = run_kbfix("diagnose", str(CASE), "--lang", "zh")
    assert proc.returncode == 0
    assert "所有参数都被冻结" in proc.stdout.decode()


@pytest.mark.parametrize("payload, needle", [
    (b"", b"no input"),
    (b"\n\n   \n", b"blank"),
    (b"\x00\x01\x02\x03" * 1000, b"binary"),
])
def test_bad_stdin_is_exit_2_with_message(payload, needle):
    proc = run_kbfix("diagnose", "-", input=payload)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_invalid_utf8_is_decoded_not_fatal():
    payload = b"caf\xe9 \xff\xfe\nValueError: optimizer got an empty parameter list\n"
    proc = run_kbfix("diagnose", "-", "--json", input=payload)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["id"] == "no-trainable-parameters"


def test_single_10mb_line_then_error():
    payload = b"x" * (10 * 1024 * 1024) + b"\nValueError: optimizer got an empty parameter list\n"
    proc = run_kbfix("diagnose", "-", "--json", input=payload)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["matches"][0]["id"] == "no-trainable-parameters" and report["truncated"] is True


def test_missing_file_and_directory_are_usage_errors(tmp_path):
    proc = run_kbfix("diagnose", str(tmp_path / "nope.log"))
    assert proc.returncode == 2 and b"no such file" in proc.stderr
    proc = run_kbfix("diagnose", str(tmp_path))
    assert proc.returncode == 2 and b"is a directory" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_bad_option_is_exit_2():
    proc = run_kbfix("diagnose", "-", "--top", "zero", input=b"x")
    assert proc.returncode == 2


def test_ctrl_c_mid_run_exits_130_without_traceback():
    proc = subprocess.Popen([sys.executable, "-m", "kbfix", "diagnose", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdin.write(b"epoch 1 step 1 loss 2.3\n")
    proc.stdin.flush()
    time.sleep(1.5)  # kbfix is now blocked reading the stream
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"interrupted" in err and b"Traceback" not in err


def test_large_stream_keeps_memory_bounded():
    """200 MB of training noise with the error early on: streamed, not held in memory."""
    script = (
        "import sys\n"
        "w = sys.stdout.buffer.write\n"
        "w(b'Traceback (most recent call last):\\n  File \"/x/site-packages/torch/optim/optimizer.py\", line 1, in __init__\\n'"
        " b'ValueError: optimizer got an empty parameter list\\n')\n"
        "line = b' 45%|####      | 450/1000 [01:00<01:10, 7.5it/s] loss=2.3456 lr=1e-5 epoch=0.45\\n'\n"
        "block = line * 10000\n"
        "for _ in range(200 * 1024 * 1024 // len(block)): w(block)\n"
    )
    gen = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    measure = ("import resource, subprocess, sys; "
               "p = subprocess.run([sys.executable, '-m', 'kbfix', 'diagnose', '-', '--json'], stdin=sys.stdin, capture_output=True); "
               "sys.stdout.write(p.stdout.decode()); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(p.returncode)")
    proc = subprocess.run([sys.executable, "-c", measure], stdin=gen.stdout, capture_output=True, cwd=ROOT, timeout=300)
    gen.wait()
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["matches"][0]["id"] == "no-trainable-parameters" and report["truncated"] is True
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    assert peak_kb < 400 * 1024, f"peak RSS {peak_kb} KiB for a 200 MB stream"


def test_version_and_corpus_commands():
    proc = run_kbfix("--version")
    assert proc.returncode == 0 and proc.stdout.startswith(b"kbfix ")
    proc = run_kbfix("corpus", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(b"ok: ")
    proven = re.search(rb"; (\d+) entries \(\d+\.\d%\) have a fix that passed its reproducer", proc.stdout)
    assert proven and int(proven.group(1)) > 0, proc.stdout
    listing = json.loads(run_kbfix("corpus", "list", "--json").stdout)
    assert "no-trainable-parameters" in {e["id"] for e in listing}
    shown = json.loads(run_kbfix("corpus", "show", "no-trainable-parameters", "--json").stdout)
    jsonschema.validate(shown, {**SCHEMA["$defs"]["entry"], "$defs": SCHEMA["$defs"]})
    assert shown["fixes"][0]["verification"]["kind"] == "reproducer"
    proc = run_kbfix("corpus", "show", "no-such-entry")
    assert proc.returncode == 2 and b"unknown entry" in proc.stderr


def test_a_fix_counts_as_proven_only_when_its_reproducer_passed():
    from kbfix.cli import _fix_proven_by_reproducer

    assert _fix_proven_by_reproducer({"fixes": [{"kind": "check", "passed": None}, {"kind": "reproducer", "passed": True}]})
    assert not _fix_proven_by_reproducer({"fixes": [{"kind": "check", "passed": True}, {"kind": "reproducer", "passed": False}]})
    assert not _fix_proven_by_reproducer({"fixes": [{"kind": "reproducer", "passed": None}]})
    assert not _fix_proven_by_reproducer({}) and not _fix_proven_by_reproducer(None)


def test_index_command_rebuilds(tmp_path):
    proc = run_kbfix("index", env={"KBFIX_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert b"indexing [" in proc.stderr and b"documents" in proc.stdout
    assert list(tmp_path.glob("index-*/manifest.json"))


def test_inspect_json_matches_schema_and_exit_codes(tmp_path):
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text("model_name_or_path: Qwen/Qwen2-VL-7B-Instruct\nstage: sft\nfinetuning_type: full\n"
                      "freeze_vision_tower: true\nfreeze_multi_modal_projector: true\nfreeze_language_model: true\n")
    proc = run_kbfix("inspect", str(frozen), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["matches"][0]["id"] == "no-trainable-parameters"
    assert any("no-trainable-parameters" in f["supports"] for f in report["findings"])
    healthy = tmp_path / "healthy.yaml"
    healthy.write_text(frozen.read_text().replace("freeze_language_model: true", "freeze_language_model: false"))
    proc = run_kbfix("inspect", str(healthy), "--json")
    assert proc.returncode == 0  # a healthy artifact: "no problems found", not "no confident match"
    jsonschema.validate(json.loads(proc.stdout), SCHEMA)
    assert json.loads(proc.stdout)["verdict"] == "no_error"


# --- edges: output that cannot be written, odd settings, interrupts ------------------------------

TB_FROZEN = b"ValueError: optimizer got an empty parameter list\n"


def test_closed_stdout_and_a_full_disk_are_clear_messages(tmp_path):
    for redirect in (">&-", ">/dev/full"):
        proc = subprocess.run(f"{sys.executable} -m kbfix diagnose - {redirect}", shell=True, input=TB_FROZEN,
                              capture_output=True, cwd=ROOT, timeout=120)
        assert proc.returncode == 2, (redirect, proc.stderr)
        err = proc.stderr.decode()
        assert "Traceback" not in err and "internal error" not in err
        assert ("standard output is closed" in err) or ("No space left" in err), err


def test_an_unknown_kbfix_lang_falls_back_to_english():
    proc = run_kbfix("diagnose", "-", input=TB_FROZEN, env={"KBFIX_LANG": "xx"})
    assert proc.returncode == 0 and "Every parameter is frozen" in proc.stdout.decode()
    assert "KBFIX_LANG='xx'" in proc.stderr.decode()


def test_chinese_on_a_terminal_that_cannot_show_it_falls_back_to_english():
    proc = run_kbfix("diagnose", "-", "--lang", "zh", input=TB_FROZEN, env={"PYTHONIOENCODING": "latin-1"})
    assert proc.returncode == 0 and "Every parameter is frozen" in proc.stdout.decode("latin-1")
    assert "cannot show Chinese" in proc.stderr.decode()


def test_ctrl_c_while_reading_exits_130_without_a_traceback():
    proc = subprocess.Popen([sys.executable, "-m", "kbfix", "diagnose", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdin.write(b"step 1 loss 0.4\n")
    proc.stdin.flush()
    time.sleep(1.5)  # kbfix is blocked reading standard input
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"Traceback" not in err and b"interrupted" in err


def test_lone_surrogates_are_diagnosed():
    import kbfix

    report = kbfix.diagnose("ValueError: optimizer got an empty parameter list \udcff\udcfe")
    assert report.best is not None and report.best.entry.id == "no-trainable-parameters"


def test_output_is_the_same_on_every_run():
    runs = {run_kbfix("diagnose", "-", "--json", input=b"RuntimeError: something odd in the optimizer step\n").stdout
            for _ in range(3)}
    assert len(runs) == 1


REPR = re.compile(r"\['|\{'|'\]|'\}|\(\)|<[a-z_.]+ object at 0x")


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    from probes import build

    return build.save(build.causal_lm(build.qwen2()), tmp_path_factory.mktemp("sharded"), max_shard_size="20KB")


def test_verify_outcomes_have_their_own_exit_codes(sharded, tmp_path):
    from probes import build

    passed = run_kbfix("verify", "checkpoint-missing-keys-incomplete", str(sharded))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith(b"checkpoint-missing-keys-incomplete: PASS\n")
    unchecked = run_kbfix("verify", "cuda-out-of-memory", str(sharded))
    assert unchecked.returncode == 3, unchecked.stdout + unchecked.stderr
    assert unchecked.stdout.startswith(b"cuda-out-of-memory: COULD NOT CHECK\n")
    broken = build.copy(sharded, tmp_path / "broken")
    build.delete_last_shard(broken)
    failed = run_kbfix("verify", "checkpoint-missing-keys-incomplete", str(broken))
    assert failed.returncode == 1 and b": FAIL\n" in failed.stdout
    for proc in (passed, unchecked, failed):
        assert not REPR.search(proc.stdout.decode()), proc.stdout.decode()
    as_json = run_kbfix("verify", "cuda-out-of-memory", str(sharded), "--json")
    assert as_json.returncode == 3
    found = json.loads(as_json.stdout)
    assert found["outcome"] == "unchecked" and found["passed"] is False
    assert "no check for cuda-out-of-memory" in found["facts"]["reason"]
    failed_json = json.loads(run_kbfix("verify", "checkpoint-missing-keys-incomplete", str(broken), "--json").stdout)
    assert failed_json["outcome"] == "failed"
    assert not REPR.search(json.dumps(failed_json["facts"])), failed_json["facts"]


def test_every_command_and_option_has_help():
    import argparse

    from kbfix.cli import make_parser

    def walk(parser, where):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help, f"{where} {choice.dest}: no help in the command list"
                for name, sub in action.choices.items():
                    yield from walk(sub, f"{where} {name}")
            elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                yield where, action

    missing = [f"{where}: {action.option_strings or action.dest}" for where, action in walk(make_parser(), "kbfix")
               if not action.help]
    assert not missing, missing
    shown = run_kbfix("--help").stdout.decode()
    for command in ("verify", "tui", "run", "index"):
        assert re.search(rf"^\s+{command}\s+\S", shown, re.M), f"{command} has no help line"
    assert "colour the text output" in shown
    assert re.search(r"^\s+3\s+verify: could not check", shown, re.M)


def test_lang_before_the_tui_command_is_kept():
    from kbfix.cli import make_parser

    assert make_parser().parse_args(["--lang", "zh", "tui"]).lang == "zh"
    assert make_parser().parse_args(["tui", "--lang", "zh"]).lang == "zh"


def test_a_last_word_reaches_the_terminal_when_python_closed_stderr():
    import subprocess
    import sys

    code = "import sys\nsys.stderr.close()\nfrom kbfix import cli\ncli._say('kbfix: said on fd 2')\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stderr == b"kbfix: said on fd 2\n"

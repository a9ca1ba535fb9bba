"""Early warnings in the pipe: real tiny-model runs piped into the real command line."""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_kbfix
from kbfix.watch import Watch, is_head

RUNS = ROOT / "scripts" / "precursor_runs.py"
# run -> (the warning it must raise, a substring of the line where the precursor first appears)
EXPECTED = {
    "fp16-trainer": ("nonfinite-grad-norm", "'grad_norm': 'nan'"),
    "fp16-loop": ("nonfinite-loss", "loss nan"),
    "frozen-lora": ("no-trainable-parameters", "trainable params: 0"),
    "tied-lora": ("peft-tied-embeddings", "tie_word_embeddings=True"),
    "prefix-mismatch": ("weights-newly-initialized", "| MISSING"),
    "long-sequence": ("tokenizer-truncation", "Token indices sequence length"),
}
CORPUS = ROOT / "corpus"


def events_of(text: str) -> list:
    found = []
    Watch(found.append).feed(0, text.split("\n"))
    return found


@pytest.fixture(scope="module")
def piped(tmp_path_factory):
    """Each run, piped for real: ``python precursor_runs.py RUN 2>&1 | python -m kbfix --events FILE``."""
    folder = tmp_path_factory.mktemp("runs")
    results = {}
    for run in list(EXPECTED) + ["healthy"]:
        events = folder / f"{run}.jsonl"
        command = (f"{sys.executable} {RUNS} {run} 2>&1 | "
                   f"{sys.executable} -m kbfix --color never --events {events}")
        proc = subprocess.run(command, shell=True, capture_output=True, cwd=ROOT, timeout=300,
                              env=dict(os.environ, PYTHONUNBUFFERED="1"))
        lines = [json.loads(line) for line in events.read_text().splitlines()]
        results[run] = (proc, lines)
    return results


@pytest.mark.parametrize("run", list(EXPECTED))
def test_each_precursor_is_caught_on_its_real_run(piped, run):
    proc, events = piped[run]
    expected_id, needle = EXPECTED[run]
    log = proc.stdout.decode().split("\n─")[0].split("\n")  # the log as it passed through
    first = next(i for i, line in enumerate(log) if needle in line) + 1
    warnings = [e for e in events if e["event"] == "warning"]
    assert expected_id in {e["id"] for e in warnings}, (warnings, proc.stderr.decode()[-2000:])
    event = next(e for e in warnings if e["id"] == expected_id)
    assert abs(event["line"] - first) <= 1, (event, first)
    assert needle in log[event["line"] - 1]
    assert event["entry"] and (CORPUS / event["entry"] / "entry.md").exists()
    stderr = proc.stderr.decode()
    assert f"kbfix: warning, line {event['line']}: " in stderr  # one short line when it first appears
    assert stderr.count(f"line {event['line']}: {event['message']}") == 1
    assert events[-1]["event"] == "diagnosis"  # the final diagnosis still comes at the end
    assert "verdict" in events[-1]["report"]


def test_runs_that_fail_report_the_error_event_and_diagnose_it(piped):
    for run, entry in (("frozen-lora", "no-trainable-parameters"), ("long-sequence", "sequence-longer-than-max-positions")):
        proc, events = piped[run]
        errors = [e for e in events if e["event"] == "error"]
        assert errors and errors[0]["details"]["type"] in ("RuntimeError", "IndexError"), events
        warning = next(e for e in events if e["event"] == "warning")
        assert warning["line"] < errors[0]["line"]  # the warning came first, while the run went on
        assert events[-1]["report"]["matches"][0]["id"] == entry
        assert f"[{entry}]" in proc.stdout.decode()


def test_no_warning_on_the_healthy_run(piped):
    proc, events = piped["healthy"]
    assert [e for e in events if e["event"] != "diagnosis"] == []
    assert b"kbfix: warning" not in proc.stderr
    assert b"score.weight" in proc.stdout  # a new task head was initialized: that is no warning
    assert re.search(rb"trainable params: [1-9]", proc.stdout)  # LoRA, with its adapters trainable


def test_warning_arrives_before_the_next_line_is_written(piped, tmp_path):
    """Feed a real run's log one line at a time; the warning must be out before the next line goes in."""
    proc, _ = piped["frozen-lora"]
    log = proc.stdout.decode().split("\n─")[0].split("\n")
    target = next(i for i, line in enumerate(log) if "trainable params: 0" in line)
    events = tmp_path / "events.jsonl"
    kbfix = subprocess.Popen([sys.executable, "-m", "kbfix", "--events", str(events)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for i, line in enumerate(log[: target + 1]):
            kbfix.stdin.write((line + "\n").encode())
            kbfix.stdin.flush()
            if i < target:
                time.sleep(0.01)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if events.exists() and "no-trainable-parameters" in events.read_text():
                break
            time.sleep(0.02)
        seen = json.loads(events.read_text().splitlines()[0])
        assert seen["id"] == "no-trainable-parameters" and seen["line"] == target + 1
        kbfix.stdin.write("\n".join(log[target + 1:]).encode())
        kbfix.stdin.close()
        stderr = kbfix.stderr.read().decode()
        assert kbfix.wait(timeout=60) == 0
    finally:
        kbfix.kill() if kbfix.poll() is None else None
    assert stderr.startswith(f"kbfix: warning, line {target + 1}: no parameter is trainable")


@pytest.mark.parametrize("line", [
    "Some weights of Qwen2ForSequenceClassification were not initialized from the model checkpoint at Qwen/Qwen2.5-1.5B "
    "and are newly initialized: ['score.weight']",
    "Some weights of RobertaForSequenceClassification were not initialized from the model checkpoint at roberta-base "
    "and are newly initialized: ['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias']",
    "{'loss': 1.2031, 'grad_norm': 0.8125, 'learning_rate': 1e-05, 'epoch': 0.5}",
    "trainable params: 0.5M || all params: 1.1B",
    "trainable params: 20,971,520 || all params: 7,262,703,616 || trainable%: 0.2888",
    "grad_norm: 12.5 (clipped to 1.0); loss_scale: 65536.0, inf checks passed",
    "nan_to_num applied to 0 values; infinity is not reached",
])
def test_healthy_lines_draw_no_warning(line):
    assert events_of(line) == []


@pytest.mark.parametrize("text, expected", [
    ("{'loss': nan, 'grad_norm': nan, 'learning_rate': 2.4e-06, 'epoch': 0.01}", "nonfinite-loss"),
    ("{'loss': 0.0, 'grad_norm': inf, 'learning_rate': 2.4e-06}", "nonfinite-grad-norm"),
    ("epoch 0 iter 500  loss nan     lr 0.5", "nonfinite-loss"),
    ("Some weights of LlamaForCausalLM were not initialized from the model checkpoint at ./ckpt and are newly "
     "initialized: ['model.layers.31.mlp.down_proj.weight', 'score.weight']", "weights-newly-initialized"),
    ("Some weights of BertModel were not initialized from the model checkpoint at x and are newly initialized because "
     "the shapes did not match:\n- bert.embeddings.word_embeddings.weight: found shape torch.Size([30522, 768]) in the "
     "checkpoint and torch.Size([30524, 768]) in the model instantiated", "weights-newly-initialized"),
    ("UserWarning: Model with `tie_word_embeddings=True` and the tied_target_modules=['lm_head'] are part of the "
     "adapter. This can lead to complications", "peft-tied-embeddings"),
    ("Truncation was not explicitly activated but `max_length` is provided a specific value, please use "
     "`truncation=True` to explicitly truncate examples to max length.", "tokenizer-truncation"),
])
def test_hf4_and_log_forms_are_caught(text, expected):
    assert [e.id for e in events_of(text)][:1] == [expected]


def test_each_warning_fires_once():
    text = "\n".join(["{'loss': nan, 'grad_norm': 1.0}"] * 50)
    assert [e.id for e in events_of(text)] == ["nonfinite-loss"]


def test_head_names():
    assert is_head("score.weight") and is_head("classifier.out_proj.bias") and is_head("qa_outputs.weight")
    assert not is_head("lm_head.weight") and not is_head("model.layers.0.mlp.down_proj.weight")


def test_precursor_cases_in_the_corpus_warn_and_new_head_case_does_not():
    """Real pastes kept in the corpus: the precursor entries' cases warn; a new task head does not."""
    for entry, warning in (("no-trainable-parameters", "no-trainable-parameters"),
                           ("peft-lora-on-tied-lm-head", "peft-tied-embeddings"),
                           ("state-dict-prefix-mismatch", "weights-newly-initialized")):
        hits = [p for p in (CORPUS / entry / "cases").glob("match-*.txt")
                if warning in {e.id for e in events_of(p.read_text())}]
        assert hits, entry
    head = CORPUS / "multimodal-gemma3-wrong-auto-class" / "cases" / "nomatch-qwen2-seqcls-new-head.txt"
    assert [e for e in events_of(head.read_text()) if e.kind == "warning"] == []


def test_diagnose_file_writes_events_without_stderr_warnings(tmp_path):
    log = ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log"
    events = tmp_path / "events.jsonl"
    proc = run_kbfix("diagnose", str(log), "--json", "--events", str(events))
    assert proc.returncode == 0 and b"kbfix: warning" not in proc.stderr
    kinds = [json.loads(line)["event"] for line in events.read_text().splitlines()]
    assert kinds[0] == "warning" and kinds[-1] == "diagnosis"
    assert json.loads(events.read_text().splitlines()[-1])["report"] == json.loads(proc.stdout)


def test_events_file_that_cannot_be_written_is_exit_2(tmp_path):
    proc = run_kbfix("--events", str(tmp_path / "no" / "such" / "dir.jsonl"), input=b"hello\n")
    assert proc.returncode == 2 and b"cannot write events" in proc.stderr


def test_chinese_warning_line():
    proc = run_kbfix("--lang", "zh", input=b"trainable params: 0 || all params: 6,160 || trainable%: 0.0000\n")
    assert "kbfix: 警告，第 1 行：没有可训练的参数" in proc.stderr.decode()

"""Fusion, abstention, root-cause selection and evidence."""

import json
from pathlib import Path

import pytest

import kbfix
from kbfix.engine.calibration import FRAGMENT_KEY
from kbfix.engine.calibration import load as load_calibration
from kbfix.render import fill, report_json
from kbfix.model import Finding

DATA = Path(__file__).resolve().parent.parent / "data"
NCCL_ONLY = """[rank1]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=12, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=1800000) ran for 1800058 milliseconds before timing out.
"""


def test_oom_on_one_rank_beats_the_nccl_timeout_it_caused():
    report = kbfix.diagnose((DATA / "oom-then-nccl-timeout.log").read_text())
    assert report.verdict == "match" and report.best.entry.id == "cuda-out-of-memory"
    assert report.error.rank == 0 and report.error.final.type == "torch.OutOfMemoryError"


def test_a_harmless_notice_in_the_log_gives_way_to_a_failures_own_wording_beside_it():
    """A consequence or a notice (a cascade entry: transformers' "`torch_dtype` is deprecated!") seen in the log
    explains nothing when another entry's wording of a failure fired too, even with no exception line to hang it on."""
    notice = "`torch_dtype` is deprecated! Use `dtype` instead!\n"
    failure = "Exception string: ''Florence2ForConditionalGeneration' object has no attribute '_supports_sdpa''\n"
    assert kbfix.diagnose(notice).best.entry.id == "torch-dtype-argument-renamed-to-dtype"
    report = kbfix.diagnose(notice + failure)
    assert report.verdict == "match" and report.best.entry.id == "remote-code-out-of-step-with-transformers"
    assert "torch-dtype-argument-renamed-to-dtype" not in {m.entry.id for m in report.matches if m.confidence >= 0.5}


def test_a_cascade_error_alone_is_still_diagnosed():
    report = kbfix.diagnose(NCCL_ONLY)
    assert report.verdict == "match" and report.best.entry.id == "nccl-collective-timeout"


def test_launcher_echo_is_not_the_root_cause():
    text = ("Traceback (most recent call last):\n  File \"/x/site-packages/torch/optim/optimizer.py\", line 1, in __init__\n"
            "ValueError: optimizer got an empty parameter list\n"
            "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: \ntrain.py FAILED\n")
    report = kbfix.diagnose(text)
    assert report.best.entry.id == "no-trainable-parameters" and report.error.final.type == "ValueError"


def test_evidence_names_signature_lines_and_captures():
    text = "ValueError: Target modules {'c_attn'} not found in the base model. Please check the target modules and try again."
    report = kbfix.diagnose(text)
    best = report.best
    assert best.entry.id == "peft-target-modules-not-found"
    signature = [e for e in best.evidence if e.kind == "signature"]
    assert signature and signature[0].lines == (0,)
    assert any("c_attn" in v for v in best.captures.values())


def test_fix_text_is_filled_from_captures():
    assert fill("ls {path} {missing}", {"path": "/ckpt"}, {"missing": "<dir>"}) == "ls /ckpt <dir>"
    assert fill("{unknown}", {}, {}) == "<unknown>"
    # a placeholder made of captures is filled from them, and a capture of the whole phrase wins over it
    placeholders = {"old_use": "from {module} import {name}", "name": "<name>"}
    assert fill("{old_use} ->", {"module": "transformers"}, placeholders) == "from transformers import <name> ->"
    assert fill("{old_use}", {"old_use": "jax.api", "module": "jax"}, placeholders) == "jax.api"
    assert fill("{a}", {}, {"a": "{b}", "b": "{a}"}) == "<b>"  # one level deep: no loop, no brace left


@pytest.mark.parametrize("text", [
    "ZeroDivisionError: division by zero",
    "IndexError: list index out of range",
    "KeyError: 'labels'",
    "thread 'main' panicked at 'index out of bounds', src/lib.rs:10:5",
    "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
])
def test_generic_errors_abstain(text):
    assert kbfix.diagnose(text).verdict == "no_match"


@pytest.mark.parametrize("text", [
    "",
    "{'loss': 0.53, 'learning_rate': 2e-05, 'epoch': 1.0}\nSaving model checkpoint to out/checkpoint-500\n",
    "100%|██████████| 500/500 [10:02<00:00,  1.2s/it]\nTraining completed. Do not forget to share your model!\n",
])
def test_a_log_without_any_error_is_no_error(text):
    report = kbfix.diagnose(text)
    assert report.verdict == "no_error" and report.matches == () and report.error is None


def test_a_log_that_says_something_failed_is_not_no_error():
    assert kbfix.diagnose("step 10: loss nan, training failed\n").verdict == "no_match"
    # a check's message pasted without its exception type says what it expected and what it got
    bare = kbfix.diagnose("Pipeline <class 'diffusers.pipelines.wan.pipeline_wan_i2v.WanImageToVideoPipeline'> expected "
                          "{'text_encoder', 'vae'}, but only {'vae'} were passed.\n")
    assert bare.verdict != "no_error" and bare.error is not None


def test_no_error_says_what_to_paste_if_the_run_failed():
    """A paste cut before its error (a training log that stops mid-line) reads as no error; the answer
    says so and what to paste, in both languages."""
    report = kbfix.diagnose("trainable params: 35,192,832 || all params: 529,225,600 || trainable%: 6.6499\n"
                            "2024-08-06 10:44:39 | INFO | __main__:create_model:155 - Total model params: 529.23M\n"
                            "2024-08-06 10:44:39 | INFO | __main__:create_trainer:203 - Train model with sft task\n"
                            "2024-08-06 10:44:39 | INFO | utils.data_process:__init__:90 - Loading data: ./da\n")
    assert report.verdict == "no_error" and report.advice is not None
    assert "Traceback (most recent call last):" in report.advice.en and "2>&1 | kbfix" in report.advice.zh


def test_a_message_cut_before_two_causes_part_names_neither_and_asks_for_all_of_it():
    """accelerate words its refusal to train an 8-bit model alike for a model spread over devices and for one
    offloaded to CPU; cut before the words that part them, the paste says nothing of which it was."""
    report = kbfix.diagnose("ValueError: You can't train a model that has been loaded in 8-bit prec")
    assert report.verdict == "no_match"
    assert "is cut off before it tells" in report.advice.en and "Traceback (most recent call last):" in report.advice.en
    assert {"device-map-in-distributed-training", "quantized-model-offloaded-to-cpu-or-disk"} <= set(
        report.advice.en.split("tells ")[1].split(" apart")[0].split(" or "))
    whole = kbfix.diagnose("ValueError: You can't train a model that has been loaded in 8-bit precision with CPU or disk offload.")
    assert whole.verdict == "match" and whole.best.entry.id == "quantized-model-offloaded-to-cpu-or-disk"
    assert {"device-map-in-distributed-training", "quantized-model-offloaded-to-cpu-or-disk"} <= {
        entry_id for entry_id, why in report.ruled_out if why == "cut_short"}
    assert "quantized-model-offloaded-to-cpu-or-disk" not in dict(whole.ruled_out)


def test_the_report_names_an_entry_whose_wording_matched_and_the_condition_that_ruled_it_out():
    """A look-alike refused: a tool reading --json sees which cause was considered and why it does not count."""
    text = ('ValueError: Trying to set a tensor of shape torch.Size([2, 768]) in "weight" (which has shape '
            'torch.Size([3, 768])), this looks incorrect.')  # a classifier's rows only: another label count
    report = kbfix.diagnose(text)
    assert ("checkpoint-size-mismatch-wrong-architecture", "condition") in report.ruled_out
    assert report.best is None or report.best.entry.id != "checkpoint-size-mismatch-wrong-architecture"
    shown = report_json(report)["ruled_out"]
    assert {"id": "checkpoint-size-mismatch-wrong-architecture", "why": "condition"} in shown


SOLVED_THEN = """Setting target_modules gave me
ValueError: Target modules {{'c_attn'}} not found in the base model. Please check the target modules and try again.
{said}

{then}
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB of which 1.02 GiB is free.
"""


@pytest.mark.parametrize("said, then, asked", [
    ("Changing them to q_proj,v_proj solved that.", "Now I receive the error", "cuda-out-of-memory"),
    ("改成 q_proj 之后解决了", "然后又报", "cuda-out-of-memory"),
    # the change the user made after the first error, and the next one it brought
    ("After upgrading peft to the latest release", "then I get", "cuda-out-of-memory"),
    ("若升级 peft，", "则会报错", "cuda-out-of-memory"),
    # without the user's word that the first was solved, the first error is the root cause
    ("I changed them to q_proj,v_proj.", "Now I receive the error", "peft-target-modules-not-found"),
    ("Changing them did not solve it.", "Now I receive the error", "peft-target-modules-not-found"),
])
def test_an_error_the_user_says_they_solved_gives_way_to_the_one_that_came_next(said, then, asked):
    report = kbfix.diagnose(SOLVED_THEN.format(said=said, then=then))
    assert report.verdict == "match" and report.best.entry.id == asked


def test_a_change_the_user_names_before_the_first_error_is_what_led_to_it():
    text = "After upgrading peft I get\n" + SOLVED_THEN.format(said="", then="then I get")
    report = kbfix.diagnose(text)
    assert report.verdict == "match" and report.best.entry.id == "peft-target-modules-not-found"


def test_a_key_list_pasted_from_its_middle_is_an_error_without_its_exception_line():
    """torch lists missing and unexpected keys double-quoted; a paste that starts mid-list has no
    'Missing key(s)' line and no exception line, and is still an error to look at."""
    keys = ", ".join(f'"base_model.model.model.layers.{i}.mlp.{p}_proj.weight"' for i in range(7, 10)
                     for p in ("gate", "up", "down"))
    report = kbfix.diagnose("l.model.model.layers.6.mlp.down_proj.weight\", " + keys + ",\n")
    assert report.verdict == "no_match" and report.error is not None
    assert report.advice.en.startswith("the exception line (`SomethingError: ...`) is missing")
    printed = ("Loading checkpoint shards: 100%|██████████| 2/2 [00:09<00:00,  4.94s/it]\n"
               "['model.layers.0.mlp.gate_proj.weight', 'model.layers.0.mlp.up_proj.weight', 'model.norm.weight']\n"
               "{'loss': 0.53, 'learning_rate': 2e-05, 'epoch': 1.0}\nSaving model checkpoint to out/checkpoint-500\n")
    assert kbfix.diagnose(printed).verdict == "no_error"  # a printed Python list quotes with '


def test_calibration_is_fitted_and_each_variant_present():
    for variant in ("hybrid", "lexical", "dense"):
        assert load_calibration(variant).weights
    for variant in ("hybrid", "signatures"):
        # never certainty; and well above chance, though every real look-alike the corpus collects (a full
        # hit on another cause, on purpose) lowers it: 0.904 with 361 nomatch cases, 0.900 with 372
        assert 0.85 < load_calibration(variant).signature_precision["sig"] < 1.0
    assert load_calibration("hybrid").weights["near_miss"] < 0  # a near miss is evidence against


def test_a_fragment_hit_has_its_own_factor_bounded_by_a_full_hit():
    """A signature's fragment factor (counted on the paste forms that cut its message) is read for its
    fragment hits only; it may raise a fragment above its level, never above a full hit's precision."""
    calibration = load_calibration("hybrid")
    precision = calibration.signature_precision
    fragments = {k: v for k, v in calibration.signature_factors.items() if k.endswith(FRAGMENT_KEY)}
    assert fragments and any(v > 1 for v in fragments.values()) and any(v < 1 for v in fragments.values())
    for key, value in fragments.items():
        assert value * precision["sig_frag"] <= precision["sig"] + 1e-4, key  # (factors are stored to 4 decimals)
        entry_id, signature_id = key.removesuffix(FRAGMENT_KEY).split("/")
        assert calibration.factor(entry_id, signature_id, fragment=True) == value
        assert calibration.factor(entry_id, signature_id) == calibration.signature_factors.get(f"{entry_id}/{signature_id}", 1.0)


def test_a_cut_message_of_a_general_entry_is_held_to_the_pooled_fragment_rate():
    """A fragment of an entry that another refines cannot show the detail that decides for the refining
    one: whatever its own record, it stays at the rate of all fragments pooled, seen by a paste form or not."""
    from kbfix import corpus
    from kbfix.engine import calibration as calibration_mod

    pooled = json.loads(calibration_mod.PATH.read_text())["pooled_fragment_precision"]
    calibration = load_calibration("hybrid")
    entries = corpus.load_default().entries
    general = {g for e in entries for g in e.refines}
    assert general
    for entry in entries:
        if entry.id in general:
            for sig in entry.signatures:
                held = calibration.factor(entry.id, sig.id, fragment=True) * calibration.signature_precision["sig_frag"]
                assert held <= pooled + 1e-4, (entry.id, sig.id)


def test_supporting_finding_raises_confidence():
    text = "RuntimeError: Error(s) in loading state_dict for Qwen2ForCausalLM:\n\tMissing key(s) in state_dict: \"model.layers.27.mlp.up_proj.weight\"."
    plain = kbfix.diagnose(text)
    finding = Finding("checkpoint-vs-config", "ckpt", "layers 24-27 missing", supports=("checkpoint-missing-keys-incomplete",))
    helped = kbfix.diagnose(text, findings=(finding,))
    conf = lambda r: next((m.confidence for m in r.matches if m.entry.id == "checkpoint-missing-keys-incomplete"), 0.0)  # noqa: E731
    assert conf(helped) > conf(plain)
    assert helped.best is not None and helped.best.entry.id == "checkpoint-missing-keys-incomplete"


def test_a_refining_entry_wins_over_the_general_one():
    text = ("Token indices sequence length is longer than the specified maximum sequence length for this model (1500 > 1024). "
            "Running this sequence through the model will result in indexing errors\n"
            "../aten/src/ATen/native/cuda/Indexing.cu:1289: indexSelectLargeIndex: block: [3,0,0], thread: [0,0,0] "
            "Assertion `srcIndex < srcSelectDimSize` failed.\n"
            "RuntimeError: CUDA error: device-side assert triggered\n")
    report = kbfix.diagnose(text, top=200)  # every candidate: the general one, refuted, ranks far down
    assert report.best.entry.id == "sequence-longer-than-max-positions"
    general = next(m for m in report.matches if m.entry.id == "cuda-device-side-assert-index")
    assert general.scores["sig"] == 0 and general.scores["near_miss"] == 1
    assert ("cuda-device-side-assert-index", "refined") in report.ruled_out


def test_explanation_uses_captured_values():
    from kbfix.render import report_json

    text = ("ValueError: Dict key mismatch; expected keys: ['SigLiPFromPatches_0', 'transformer']; "
            "dict: {'siglip_encoder': {}, 'transformer': {}}.")
    report = kbfix.diagnose(text)
    assert report.best.entry.id == "jax-params-dict-key-mismatch"
    explanation = report_json(report)["matches"][0]["explanation"]
    assert "SigLiPFromPatches_0" in explanation and "{expected}" not in explanation


def test_decisive_signature_skips_loading_the_encoder():
    import subprocess, sys

    from conftest import ROOT

    code = ("import sys, kbfix\n"
            "r = kbfix.diagnose('ValueError: optimizer got an empty parameter list')\n"
            "print(r.best.entry.id, 'numpy' in sys.modules, 'tokenizers' in sys.modules)\n"
            "r = kbfix.diagnose('RuntimeError: something odd happened inside the optimizer parameter groups')\n"
            "print(r.verdict, 'numpy' in sys.modules, 'tokenizers' in sys.modules, 'faiss' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = out.stdout.split("\n")
    assert lines[0] == "no-trainable-parameters False False", out.stderr
    # no decisive signature: the full hybrid ran, its index searched with numpy (FAISS only for huge corpora)
    assert lines[1].endswith("True True False")


def test_cascade_gives_the_same_answer_as_the_full_ranking(engine):
    """The same text gets the same answer, confidences to the digit, whether the dense index was
    loaded before (an editor server, the evaluation) or not (a fresh pipe)."""
    from kbfix import traceback
    from kbfix.engine import build_engine

    def answer(report):
        return report.verdict, [(m.entry.id, m.confidence) for m in report.matches]

    lazy = build_engine(lazy=True)
    decided_without_dense = 0
    for case in engine.corpus.cases[:60]:
        log = traceback.parse(case.text)
        loaded_before = lazy.dense is not None
        b = lazy.diagnose(log)
        decided_without_dense += not loaded_before and lazy.dense is None
        assert answer(engine.diagnose(log)) == answer(b), case.name
    assert decided_without_dense and lazy.dense is not None  # both paths were taken


def test_retrieval_alone_never_names_a_cascade_entry():
    text = ("[rank0]: Loading checkpoint shards:  50%|█████     | 2/4\n"
            "W1102 torch/distributed/elastic/multiprocessing/api.py:897] Sending process 4121 closing signal SIGTERM\n"
            "E1102 torch/distributed/elastic/multiprocessing/api.py:869] failed (exitcode: -9) local_rank: 0 (pid: 4120)\n"
            "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:\n"
            "train.py FAILED\nRoot Cause (first observed failure):\n  exitcode  : -9 (pid: 4120)\n"
            "  error_file: <N/A>\n  traceback : Signal 9 (SIGKILL) received by PID 4120\n")
    report = kbfix.diagnose(text)
    assert not (report.verdict == "match" and report.best.entry.id == "nccl-collective-timeout")


def test_fix_text_takes_the_path_an_artifact_finding_knows():
    """A placeholder the traceback cannot fill is filled from a supporting finding (its artifact path)."""
    from kbfix.render import report_json

    finding = Finding("adapter-folder-as-model", "/runs/out/checkpoint-500", "only adapter weights",
                      supports=("adapter-only-checkpoint-resume",))
    report = kbfix.diagnose(None, findings=(finding,))
    change = report_json(report)["matches"][0]["fixes"][0]["change"]
    assert '"/runs/out/checkpoint-500"' in change and "<checkpoint-N dir>" not in change

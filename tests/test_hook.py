"""The excepthook, ``run_script`` and the IPython extension, on real scripts and real models."""

import subprocess
import sys
import textwrap

import pytest
import torch
from probes import build

from kbfix import hook
from kbfix.introspect import inspect_object

SCRIPT = textwrap.dedent('''
    import sys
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    def train(model):
        return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    model = Qwen2ForCausalLM(config).requires_grad_(False)
    print("args", sys.argv[1:])
    train(model)
''')


def failing(model):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)  # noqa: F841 - a live local
    layer = model.model.layers[0]  # noqa: F841 - a submodule: must not stand in for the model
    raise ValueError("optimizer got an empty parameter list")


def caught(model):
    try:
        failing(model)
    except ValueError as exc:
        return exc


def test_live_objects_in_the_failing_frames():
    model = build.causal_lm(build.qwen2()).requires_grad_(False)
    objects = hook.live_objects(caught(model))
    assert model in objects
    assert not any(o is model.model.layers[0] for o in objects)
    assert any(isinstance(o, torch.optim.SGD) for o in objects)
    kinds = [f.kind for f in hook.live_findings(caught(model))]
    assert "model-all-frozen" in kinds


def test_install_chains_to_the_previous_hook(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(sys, "excepthook", lambda *args: calls.append(args) or print("PREVIOUS", file=sys.stderr))
    hook.install()
    hook.install()  # idempotent
    exc = caught(build.causal_lm(build.qwen2()).requires_grad_(False))
    sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert len(calls) == 1 and calls[0][1] is exc
    assert err.index("PREVIOUS") < err.index("kbfix")
    assert "no-trainable-parameters" in err
    hook.uninstall()
    assert sys.excepthook.__name__ == "<lambda>"


def test_keyboard_interrupt_is_only_chained(monkeypatch, capsys):
    monkeypatch.setattr(sys, "excepthook", lambda *args: print("PREVIOUS", file=sys.stderr))
    hook.install()
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    hook.uninstall()
    assert capsys.readouterr().err.strip() == "PREVIOUS"


def test_a_failing_diagnosis_is_one_line(capsys):
    class Exploding(torch.nn.Module):
        def modules(self):
            raise RuntimeError("boom")

    def fails(net):
        raise ValueError("the user's error")

    try:
        fails(Exploding())
    except ValueError as exc:
        hook.report_exception(exc, file=sys.stderr)
    assert capsys.readouterr().err.strip() == "kbfix: could not diagnose this error (RuntimeError: boom)"


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, check=False)


def test_run_script_prints_traceback_then_diagnosis(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    code = "import sys; from kbfix.hook import run_script; sys.exit(run_script(sys.argv[1], sys.argv[2:]))"
    done = run("-c", code, str(script), "--epochs", "1")
    assert done.returncode == 1
    assert "args ['--epochs', '1']" in done.stdout
    err = done.stderr
    assert err.startswith("Traceback (most recent call last):")
    assert "runpy" not in err and "kbfix/hook.py" not in err
    assert err.index("ValueError: optimizer got an empty parameter list") < err.index("[no-trainable-parameters]")
    assert "model-all-frozen" in err or "every parameter" in err.lower()


def test_installed_hook_keeps_the_exit_status(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import kbfix.hook; kbfix.hook.install()\n" + SCRIPT)
    done = run(str(script))
    assert done.returncode == 1
    assert done.stderr.index("Traceback") < done.stderr.index("[no-trainable-parameters]")


def test_run_script_exit_codes(tmp_path):
    argv = sys.argv[:]
    (tmp_path / "ok.py").write_text("import sys\nassert sys.argv[1:] == ['x']\n")
    (tmp_path / "exit3.py").write_text("import sys\nsys.exit(3)\n")
    assert hook.run_script(tmp_path / "ok.py", ["x"]) == 0
    assert hook.run_script(tmp_path / "exit3.py") == 3
    assert sys.argv == argv


def test_ipython_extension(capsys):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    from kbfix.ipython import load_ipython_extension, unload_ipython_extension

    shell = InteractiveShell.instance()
    load_ipython_extension(shell)
    shell.user_ns["model"] = build.causal_lm(build.qwen2())
    shell.run_cell("model.requires_grad_(False)\n"
                   "import torch\n"
                   "torch.optim.AdamW([p for p in model.parameters() if p.requires_grad])")
    out = capsys.readouterr().out
    unload_ipython_extension(shell)
    assert out.index("ValueError") < out.index("[no-trainable-parameters]")
    assert inspect_object(shell.user_ns["model"])[0].kind == "model-all-frozen"


PEFT_FAILS = textwrap.dedent('''
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    model = Qwen2ForCausalLM(config)
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["query_key_value"]))
''')


def test_a_half_built_object_is_not_inspected(tmp_path):
    """get_peft_model raises inside PeftModel.__init__: the PeftModel and its LoraModel are half-built."""
    script = tmp_path / "train.py"
    script.write_text(PEFT_FAILS)
    done = run("-m", "kbfix", "run", str(script))
    assert done.returncode == 1
    err = done.stderr
    assert "[peft-target-modules-not-found]" in err
    findings = err[err.index("Findings"):] if "Findings" in err else ""
    assert "probe-failed" not in err and "has no attribute 'base_model'" not in findings
    assert "of the 0 parameters" not in err and "PeftModel" not in findings and "LoraModel" not in findings
    frozen, trainable = "model-all-frozen" in findings, "model-trainable" in findings
    assert not (frozen and trainable)


def test_objects_under_construction_are_left_out():
    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.check(inner)
            self.inner = inner

        def check(self, inner):
            raise ValueError("Target modules {'x'} not found in the base model")

    model = build.causal_lm(build.qwen2())
    try:
        Wrapper(model)
    except ValueError as raised:
        exc = raised
    assert hook.live_objects(exc) == [model]
    assert all(f.subject == "Qwen2ForCausalLM" for f in hook.live_findings(exc))


def test_a_model_without_parameters_is_not_called_all_frozen():
    from kbfix.probes import live_params

    (finding,) = [f for f in inspect_object(torch.nn.Sequential()) if f.kind.startswith("model-")]
    assert finding.kind == "model-without-parameters" and "0 parameters" not in finding.summary.en
    assert finding.supports == (live_params.NOTHING,)

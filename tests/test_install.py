"""The default install is light: the pipe, JSON, the TUI and header-only inspection need no torch,
transformers or sentence-transformers. A command that needs an extra names it (exit 2), never a
traceback. The heavy packages are hidden here the way Python itself blocks an import (a ``None`` in
``sys.modules``), so ``import torch`` fails and ``find_spec("torch")`` is None, as on a light install."""

import json
import os
import re
import subprocess
import sys

import pytest
from probes import build

from conftest import ROOT

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

HEAVY = ("torch", "transformers", "sentence_transformers", "safetensors", "peft", "accelerate")
EXAMPLE = ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log"
LIGHT = """
import runpy, sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
sys.argv = ["kbfix", *sys.argv[2:]]
runpy.run_module("kbfix", run_name="__main__", alter_sys=True)
"""
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def light(*args, hide=HEAVY, env=None):
    """``kbfix ARGS`` where the ``hide`` packages cannot be imported."""
    return subprocess.run([sys.executable, "-c", LIGHT, ",".join(hide), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, **(env or {})})


def names(requirements):
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


@pytest.fixture(scope="module")
def qwen_dir(tmp_path_factory):
    return build.save(build.causal_lm(build.qwen2()), tmp_path_factory.mktemp("qwen2"))


def test_the_default_install_has_no_heavy_dependency():
    default = names(PROJECT["dependencies"])
    assert not default & {"torch", "transformers", "sentence-transformers", "safetensors", "jax"}, default
    extras = PROJECT["optional-dependencies"]
    assert "google-re2" in default  # signatures run on RE2 in the pipe itself
    assert {"torch", "transformers"} <= names(extras["inspect"])
    assert names(extras["models"]) == {"sentence-transformers"}
    assert any(r.startswith("kbfix[") and "inspect" in r and "models" in r for r in extras["test"])
    for requirement in PROJECT["dependencies"] + [r for group in extras.values() for r in group]:
        if names([requirement]) == {"torch"}:
            assert re.fullmatch(r"torch>=[\d.]+", requirement), f"{requirement}: never pin torch tightly"


def test_the_readme_first_command_needs_no_heavy_package():
    done = light("diagnose", str(EXAMPLE), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["matches"][0]["id"] == "no-trainable-parameters"
    piped = subprocess.run([sys.executable, "-c", LIGHT, ",".join(HEAVY)], input=EXAMPLE.read_text(),
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert piped.returncode == 0 and "[no-trainable-parameters]" in piped.stdout


def test_headers_and_configs_are_inspected_without_torch(qwen_dir, tmp_path):
    done = light("inspect", str(qwen_dir / "model.safetensors"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "no_error"
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text("model_name_or_path: Qwen/Qwen2-VL-7B-Instruct\nstage: sft\nfinetuning_type: full\nbf16: true\n"
                      "freeze_vision_tower: true\nfreeze_multi_modal_projector: true\nfreeze_language_model: true\n")
    done = light("inspect", str(frozen), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["matches"][0]["id"] == "no-trainable-parameters"


@pytest.mark.parametrize("what", ["model folder", "pickled checkpoint"])
def test_a_check_that_needs_torch_names_the_extra(qwen_dir, tmp_path, what):
    empty = {"KBFIX_CACHE_DIR": str(tmp_path / "cache")}  # a config described before needs no torch
    if what == "model folder":
        path = qwen_dir
    else:
        import torch

        path = tmp_path / "pytorch_model.bin"
        torch.save({"w": torch.zeros(2)}, path)
    done = light("inspect", str(path), "--json", env=empty)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pip install 'kbfix[inspect]'" in done.stderr and "Traceback" not in done.stderr
    missing = [f for f in json.loads(done.stdout)["findings"] if f["kind"] == "extra-missing"]
    assert missing and missing[0]["facts"]["extra"] == "inspect" and missing[0]["error"] == "needs kbfix[inspect]"
    text = light("inspect", str(path), env=empty)
    assert text.returncode == 2 and "kbfix[inspect]" in text.stdout + text.stderr


def test_diagnose_inspect_keeps_the_traceback_diagnosis_without_torch(qwen_dir, tmp_path):
    done = light("diagnose", str(EXAMPLE), "--inspect", str(qwen_dir), "--json",
                 env={"KBFIX_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 2 and "kbfix[inspect]" in done.stderr
    assert json.loads(done.stdout)["matches"][0]["id"] == "no-trainable-parameters"


def test_another_encoder_names_the_models_extra(tmp_path):
    for args, env in ((("diagnose", str(EXAMPLE), "--model", "some/encoder"), None),
                      (("diagnose", str(EXAMPLE)), {"KBFIX_MODEL": "some/encoder"}),
                      (("index", "--model", "some/encoder"), {"KBFIX_CACHE_DIR": str(tmp_path)})):
        done = light(*args, env=env)
        assert done.returncode == 2, (args, done.stderr)
        assert "pip install 'kbfix[models]'" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(any(os.path.exists(f) for f in ("/proc/driver/nvidia/version", "/dev/nvidiactl", "/dev/kfd")),
                    reason="a GPU driver is present: torch is rightly imported to read the GPU's capability")
def test_torch_is_imported_only_when_needed(qwen_dir, tmp_path):
    """A safetensors file, a bf16 training YAML, and (apart: beside a checkpoint it would be compared with a
    model built from it) a config.json, are checked end to end without importing torch."""
    yaml_file = tmp_path / "sft.yaml"
    yaml_file.write_text("model_name_or_path: Qwen/Qwen2-0.5B\nstage: sft\nfinetuning_type: lora\nbf16: true\n")
    code = ("import sys, kbfix\n"
            "from kbfix.introspect import inspect_paths\n"
            "found = inspect_paths(sys.argv[1:3]) + inspect_paths(sys.argv[3:])\n"
            "report = kbfix.diagnose(None, findings=found)\n"
            "print(report.verdict, sorted({'torch', 'transformers'} & set(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, str(qwen_dir / "model.safetensors"), str(yaml_file),
                           str(qwen_dir / "config.json")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.stdout.split(" ", 1) == ["no_error", "[]\n"], done.stdout + done.stderr

"""kbfix.artifacts.expect: configs no real model has are refused before torch is imported."""

import json
import marshal
from dataclasses import replace

import pytest
from probes import build

from conftest import run_measured
from kbfix.artifacts import expect
from kbfix.introspect import inspect_paths


@pytest.fixture(scope="module")
def qwen_dir(tmp_path_factory):
    return build.save(build.causal_lm(build.qwen2()), tmp_path_factory.mktemp("qwen2"))


def absurd(qwen_dir, folder, **changes):
    folder = build.copy(qwen_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config.pop("layer_types", None)  # else transformers itself rejects the count first
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_a_million_layers_is_refused_quickly(qwen_dir, tmp_path):
    folder = absurd(qwen_dir, tmp_path / "deep", num_hidden_layers=1_000_000)
    measured = run_measured("inspect", str(folder), "--json", timeout=60)
    assert measured.within(2, 500), measured
    findings = json.loads(measured.stdout)["findings"]
    (refused,) = [f for f in findings if f["kind"] == "config-implausible"]
    assert "num_hidden_layers: 1000000" in refused["summary"] and refused["error"] == "not built"
    assert refused["facts"] == {"key": "num_hidden_layers", "value": "1000000", "bound": 1024}
    assert "weights-readable" in {f["kind"] for f in findings}  # the rest is still checked


@pytest.mark.parametrize("changes, key", [
    ({"vocab_size": 10**12}, "vocab_size"),
    ({"num_attention_heads": 1e9}, "num_attention_heads"),
    ({"max_position_embeddings": float("inf")}, "max_position_embeddings"),
    ({"text_config": {"num_hidden_layers": 5000}}, "text_config.num_hidden_layers"),
])
def test_other_absurd_counts_and_sizes(changes, key):
    with pytest.raises(expect.Implausible) as refused:
        expect.check_plausible({"model_type": "qwen2", **changes})
    assert refused.value.facts["key"] == key


def test_layers_times_experts_is_bounded():
    with pytest.raises(expect.Implausible, match="layer-expert blocks"):
        expect.check_plausible({"model_type": "qwen2_moe", "num_hidden_layers": 1000, "num_experts": 1000})
    expect.check_plausible({"model_type": "deepseek_v3", "num_hidden_layers": 61, "n_routed_experts": 256})


def test_real_configs_pass(qwen_dir):
    expect.check_plausible(json.loads((qwen_dir / "config.json").read_text()))
    expect.check_plausible({"model_type": "llama4", "max_position_embeddings": 10_485_760, "vocab_size": 202_048,
                            "num_hidden_layers": 48, "num_local_experts": 16, "rope_theta": 500000.0})


def test_remote_code_is_a_finding_not_a_failure(qwen_dir, tmp_path):
    folder = build.copy(qwen_dir, tmp_path / "remote")
    build.edit_json(folder / "config.json", auto_map={"AutoModelForCausalLM": "modeling_evil.Evil"})
    findings = inspect_paths([folder])
    assert "remote-code-not-run" in [f.kind for f in findings]
    assert not any(f.kind == "probe-failed" for f in findings)


INSPECT = ("import json, sys, kbfix\n"
           "from kbfix.introspect import inspect_paths\n"
           "found = inspect_paths(sys.argv[1:])\n"
           "report = kbfix.diagnose(None, findings=found)\n"
           "print(json.dumps({'verdict': str(report.verdict), 'kinds': sorted(f.kind for f in found),\n"
           "                  'supports': sorted(e for f in found for e in f.supports),\n"
           "                  'torch': 'torch' in sys.modules}))\n")


def inspect_in_child(cache, *paths):
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", INSPECT, *map(str, paths)], capture_output=True, text=True,
                          timeout=120, cwd=build.ROOT, env={**os.environ, "KBFIX_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_config_seen_before_is_checked_without_torch(qwen_dir, tmp_path):
    cache = tmp_path / "cache"
    first = inspect_in_child(cache, qwen_dir)
    assert first["verdict"] == "no_error" and first["torch"] and "checkpoint-matches-config" in first["kinds"]
    again = inspect_in_child(cache, qwen_dir)
    assert again == {**first, "torch": False}
    measured = run_measured("inspect", str(qwen_dir), env={"KBFIX_CACHE_DIR": str(cache)})
    assert measured.returncode == 0 and b"no problems found" in measured.stdout, measured
    assert measured.within(2, 500), measured
    damaged = build.drop_layers(build.copy(qwen_dir, tmp_path / "damaged"), 3)
    found = inspect_in_child(cache, damaged)  # differs from the cached model: built, and the damage named
    assert found["torch"] and "checkpoint-missing-keys-incomplete" in found["supports"]


def test_a_cached_description_is_the_built_one(qwen_dir):
    config = json.loads((qwen_dir / "config.json").read_text())
    expect.clear_caches()  # build (and store) it here, whatever other tests did
    built = expect.expected(config)
    assert expect.known(config) == replace(built, renames=())


def test_a_tampered_cache_is_not_trusted(qwen_dir):
    config = json.loads((qwen_dir / "config.json").read_text())
    expect.clear_caches()
    expect.expected(config)
    path = expect._cache_path(expect._config_key(config))
    header, _, stored = path.read_bytes().partition(b"\n")  # a digest line, then the marshalled payload
    payload = marshal.loads(stored)
    payload["shapes"]["lm_head.weight"] = [1, 1]
    path.write_bytes(header + b"\n" + marshal.dumps(payload))  # edited under the old digest
    assert expect.known(config) is None

import importlib.util
import json

import pytest

from kbfix.probes import detect, environment

UNKNOWN = "transformers-unknown-architecture"


def config(tmp_path, **values):
    file = tmp_path / "config.json"
    file.write_text(json.dumps(values))
    return detect(file)


def test_versions_come_from_metadata():
    installed = environment.versions()
    assert set(installed) == set(environment.PACKAGES)
    assert installed["transformers"]


def test_known_architecture(tmp_path):
    found = environment.run(config(tmp_path, model_type="gemma3_text"))
    assert found[0].kind == "architecture-known"
    assert UNKNOWN in found[0].refutes
    assert found[0].facts["needs_transformers"] == ">=4.50.0"


def test_architecture_newer_than_transformers(tmp_path):
    found = environment.run(config(tmp_path, model_type="qwen9_omni"))
    assert found[0].kind == "architecture-unknown-to-transformers"
    assert found[0].supports == (UNKNOWN,)


def test_gemma3_with_an_older_transformers():
    found = environment._architecture("gemma3", "config.json", "4.46.3", {}, "config.json")
    assert found.supports == (UNKNOWN,)
    assert "4.50.0" in found.summary.en


@pytest.mark.skipif(importlib.util.find_spec("flash_attn") is not None, reason="flash_attn is installed")
def test_flash_attention_without_flash_attn(tmp_path):
    found = environment.run(config(tmp_path, model_type="qwen2", attn_implementation="flash_attention_2"))
    assert "flash-attn-unavailable" in {e for f in found for e in f.supports}

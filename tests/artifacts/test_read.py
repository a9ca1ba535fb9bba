"""kbfix.artifacts.read against crafted artifacts: every attack answered within 2 s and 500 MB, with a
finding about the file that caused it, and the rest of the command going on."""

import json
import os
import shutil

import pytest
from probes import build

from conftest import ROOT, run_measured
from kbfix.artifacts import read
from kbfix.introspect import inspect_paths

from . import attacks

CASE = ROOT / "corpus" / "no-trainable-parameters" / "cases" / "match-llamafactory-deepspeed-zero2.txt"


@pytest.fixture(scope="module")
def qwen_dir(tmp_path_factory):
    return build.save(build.causal_lm(build.qwen2()), tmp_path_factory.mktemp("qwen2"))


def kinds(findings):
    return [f.kind for f in findings]


def texts(findings) -> str:
    return json.dumps([[f.summary.en, f.summary.zh, f.error, {k: str(v) for k, v in f.facts.items()}]
                       for f in findings], ensure_ascii=False)


def report(measured) -> dict:
    return json.loads(measured.stdout)


# --- pickled torch files ------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_before_torch_reads_it(tmp_path):
    bomb = attacks.zip_bomb(tmp_path / "model.pt")  # 3 MB on disk, 3 GB of pickle
    assert bomb.stat().st_size < 4 << 20
    measured = run_measured("inspect", str(bomb), "--json", timeout=30)
    assert measured.within(2, 500), measured
    assert measured.returncode == 1, measured
    (finding,) = [f for f in report(measured)["findings"] if f["kind"] == "weights-archive-refused"]
    assert finding["subject"] == str(bomb) and "declare 3221225472 bytes" in finding["summary"]
    assert finding["error"] == "not read"


def test_an_oversized_pickle_or_legacy_file_is_capped(tmp_path, monkeypatch):
    import torch

    file = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(4)}, file)
    legacy = tmp_path / "legacy.pt"
    torch.save({"w": torch.zeros(64)}, legacy, _use_new_zipfile_serialization=False)
    read.check_archive(file)  # fine as it is
    read.check_archive(legacy)
    monkeypatch.setattr(read, "MAX_PICKLE", 64)
    with pytest.raises(read.ArchiveError, match="pickle is .* bytes"):
        read.check_archive(file)
    with pytest.raises(read.ArchiveError, match="legacy"):
        read.check_archive(legacy)


class Opaque:
    """An object torch.load(weights_only=True) will not rebuild."""


def test_torch_advice_to_turn_weights_only_off_is_not_repeated(tmp_path):
    import torch

    file = tmp_path / "custom.pt"
    torch.save({"w": torch.zeros(2), "extra": Opaque()}, file)
    findings = inspect_paths([file])
    refused = [f for f in findings if f.kind == "weights-archive-refused"]
    assert refused and "Opaque" in refused[0].summary.en
    assert "weights_only=False" not in texts(findings) and "weights_only` set to `False" not in texts(findings)
    assert not any(f.kind == "probe-failed" for f in findings)


def test_a_probe_failure_is_one_line():
    from kbfix.probes import error_line

    advice = RuntimeError("Weights only load failed.\n(1) Re-running `torch.load` with `weights_only` set to `False`")
    assert error_line(advice) == "RuntimeError: Weights only load failed."
    assert len(error_line(ValueError("x" * 5000))) == 300


# --- safetensors headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("info", [
    {"dtype": 5, "shape": "abc", "data_offsets": None},
    {"dtype": "F32", "shape": [2, "2"], "data_offsets": [0, 16]},
    {"dtype": "F32", "shape": [2, -2], "data_offsets": [0, 16]},
    {"dtype": "F32", "shape": [2], "data_offsets": [8]},
    {"dtype": "F32", "shape": [2], "data_offsets": [16, 8]},
    {"dtype": "F32", "shape": [2], "data_offsets": [0, 8.5]},
    "not an object",
])
def test_a_header_with_wrong_field_types_is_a_corrupt_header(tmp_path, info):
    file = attacks.safetensors_with_header(tmp_path / "model.safetensors", {"w": info})
    findings = inspect_paths([file])
    assert kinds(findings) == ["safetensors-header-unreadable"]
    assert "InvalidHeaderDeserialization" in findings[0].summary.en
    assert findings[0].supports == ("safetensors-corrupt-or-lfs-pointer",)


def test_metadata_must_be_strings(tmp_path):
    file = attacks.safetensors_with_header(tmp_path / "model.safetensors", {"__metadata__": {"format": 1}})
    with pytest.raises(read.HeaderError, match="__metadata__"):
        read.safetensors_header(file)


def test_a_header_length_is_never_printed_as_a_number(tmp_path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"SECRETPW" + b"\0" * 64)
    findings = inspect_paths([file])
    assert kinds(findings) == ["safetensors-header-unreadable"]
    assert str(int.from_bytes(b"SECRETPW", "little")) not in texts(findings)
    assert "HeaderTooLarge" in findings[0].summary.en


# --- links out of the artifact ---------------------------------------------------------------------

def test_a_link_out_of_the_artifact_is_not_followed(tmp_path, qwen_dir):
    shadow = attacks.secret(tmp_path / "etc")
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(qwen_dir / "config.json", folder / "config.json")
    os.symlink(shadow, folder / "model.safetensors")
    os.symlink(shadow, folder / "adapter_config.json")
    measured = run_measured("inspect", str(folder), "--json")
    assert measured.within(2, 500), measured
    found = report(measured)["findings"]
    outside = {f["subject"] for f in found if f["kind"] == "link-outside-artifact"}
    assert outside == {str(folder / "model.safetensors"), str(folder / "adapter_config.json")}
    raw = measured.stdout + measured.stderr
    first8 = shadow.read_bytes()[:8]
    for leaked in (first8, str(int.from_bytes(first8, "little")).encode(), b"SECRETSALT"):
        assert leaked not in raw


def test_a_shard_name_that_leads_out_of_the_folder(tmp_path, qwen_dir):
    shadow = attacks.secret(tmp_path / "etc")
    folder = build.copy(qwen_dir, tmp_path / "model")
    index = {"weight_map": {"model.embed_tokens.weight": f"../etc/{shadow.name}"}}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    findings = inspect_paths([folder])
    assert "link-outside-artifact" in kinds(findings)
    assert "SECRETSALT" not in texts(findings)


def test_links_inside_the_artifact_are_followed(tmp_path, qwen_dir):
    """A Hugging Face cache snapshot: every file links to ../../blobs, inside the repository folder."""
    repo = tmp_path / "hub" / "models--org--tiny"
    (repo / "blobs").mkdir(parents=True)
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    for file in qwen_dir.iterdir():
        shutil.copy(file, repo / "blobs" / file.name)
        os.symlink(f"../../blobs/{file.name}", snapshot / file.name)
    findings = inspect_paths([snapshot])
    assert "checkpoint-matches-config" in kinds(findings)
    assert not any(f.error for f in findings)


# --- configs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(attacks.BAD_JSON))
def test_a_bad_config_json_is_a_finding_about_that_file(tmp_path, qwen_dir, name):
    folder = build.copy(qwen_dir, tmp_path / "model")
    (folder / "config.json").write_bytes(attacks.BAD_JSON[name])
    lone = tmp_path / "config.json"
    lone.write_bytes(attacks.BAD_JSON[name])
    findings = inspect_paths([folder])
    (bad,) = [f for f in findings if f.kind == "config-unreadable"]
    assert bad.subject == str(folder / "config.json") and bad.error == "not read"
    assert "weights-readable" in kinds(findings)  # the rest of the folder is still checked
    assert kinds(inspect_paths([lone])) == ["config-unreadable"]
    assert "\\xff" not in bad.summary.en and "0xff" not in bad.summary.en


@pytest.mark.parametrize("name", sorted(attacks.BAD_YAML))
def test_a_bad_yaml_is_a_finding_about_that_file(tmp_path, name):
    file = tmp_path / "train.yaml"
    file.write_text(attacks.BAD_YAML[name])
    (bad,) = inspect_paths([file])
    assert bad.kind == "config-unreadable" and bad.subject == str(file)
    assert "echo pwned" not in bad.summary.en


def test_a_billion_laughs_yaml_is_refused(tmp_path):
    laughs = attacks.billion_laughs(tmp_path / "train.yaml")
    assert laughs.stat().st_size < 1100
    measured = run_measured("inspect", str(laughs), "--json", timeout=30)
    assert measured.within(2, 500), measured
    (finding,) = report(measured)["findings"]
    assert finding["kind"] == "config-unreadable" and "aliases" in finding["summary"]


def test_a_few_aliases_are_fine(tmp_path):
    file = tmp_path / "train.yaml"
    file.write_text("base: &b {lr: 1.0e-5, epochs: 3}\nstage: sft\nfinetuning_type: lora\nrun: *b\n")
    assert read.config_file(file)["run"] == {"lr": 1e-5, "epochs": 3}


def test_oversized_configs_are_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_CONFIG_BYTES", 100)
    file = tmp_path / "config.json"
    file.write_text(json.dumps({"model_type": "qwen2", "pad": "x" * 200}))
    with pytest.raises(read.ConfigError, match="more than"):
        read.json_file(file, limit=read.MAX_CONFIG_BYTES)


def test_each_attack_keeps_the_traceback_diagnosis(tmp_path, qwen_dir):
    """``kbfix diagnose TB --inspect BAD...``: findings about the bad files, the traceback still matched."""
    bad = []
    for name, raw in attacks.BAD_JSON.items():
        folder = build.copy(qwen_dir, tmp_path / name)
        (folder / "config.json").write_bytes(raw)
        bad.append(folder)
    for name, text in attacks.BAD_YAML.items():
        (tmp_path / f"{name}.yaml").write_text(text)
        bad.append(tmp_path / f"{name}.yaml")
    bad.append(attacks.billion_laughs(tmp_path / "laughs.yaml"))
    bad.append(attacks.zip_bomb(tmp_path / "bomb.pt"))
    args = ["diagnose", str(CASE), "--json"]
    for path in bad:
        args += ["--inspect", str(path)]
    measured = run_measured(*args, timeout=60)
    assert measured.returncode == 0, measured
    assert b"internal error" not in measured.stderr
    found = report(measured)
    assert found["matches"][0]["id"] == "no-trainable-parameters"
    refused = {f["subject"] for f in found["findings"] if f["error"]}
    assert len(refused) == len(bad)


def test_verify_answers_an_attack_with_could_not_check(tmp_path):
    bomb = attacks.zip_bomb(tmp_path / "model.pt")
    laughs = attacks.billion_laughs(tmp_path / "train.yaml")
    measured = run_measured("verify", "safetensors-corrupt-or-lfs-pointer", str(bomb), str(laughs), "--json",
                            timeout=30)
    assert measured.within(2, 500), measured
    assert measured.returncode == 3, measured
    found = json.loads(measured.stdout)
    assert found["outcome"] == "unchecked"
    assert {f["kind"] for f in found["findings"]} == {"weights-archive-refused", "config-unreadable"}

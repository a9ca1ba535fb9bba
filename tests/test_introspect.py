"""kbfix.introspect: pairing artifacts, paths and objects together, verify after a fix, no side effects."""

import hashlib
import subprocess
import sys
import warnings

import pytest
from probes import build
from probes.zh import has_chinese

from kbfix import introspect
from kbfix.artifacts import target

TIED_HEAD = "peft-lora-on-tied-lm-head"
INCOMPLETE = "checkpoint-missing-keys-incomplete"


@pytest.fixture(scope="module")
def gemma_dir(tmp_path_factory):
    return build.save(build.causal_lm(build.gemma()), tmp_path_factory.mktemp("gemma"))


def adapter(base_dir, folder, targets):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir), LoraConfig(r=4, target_modules=targets))
        model.save_pretrained(folder)
    return folder


def test_pairs_artifacts_with_the_model_beside_them(gemma_dir, tmp_path):
    folder = adapter(gemma_dir, tmp_path / "lora", ["q_proj"])
    yaml_file = build.write_yaml(tmp_path / "sft.yaml", model_name_or_path="google/gemma-2b", stage="sft")
    found = {t.kind: t for t in introspect.targets([folder, gemma_dir, yaml_file])}
    assert found[target.ADAPTER].base == gemma_dir
    assert found[target.LLAMAFACTORY].base == gemma_dir
    assert found[target.MODEL].base is None
    assert set(found[target.LLAMAFACTORY].related) == {folder, gemma_dir}


def test_missing_and_unrecognised_paths(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    findings = introspect.inspect_paths([tmp_path / "nope", tmp_path / "notes.txt"])
    assert [f.kind for f in findings] == ["path-missing", "artifact-unrecognised"]
    assert all(f.error for f in findings)
    assert [f.summary.zh for f in findings] == [
        "文件或文件夹不存在", "不是 kbfix 能识别的模型文件夹、checkpoint、adapter、训练配置或 Orbax 文件夹"]


def test_an_unsupported_object_is_said_in_chinese_too():
    (finding,) = introspect.inspect_object(object())
    assert finding.kind == "object-unsupported" and has_chinese(finding.summary.zh)
    assert finding.summary.get("zh") == finding.summary.zh and finding.summary.get("en") == finding.summary.en


def test_inspect_takes_paths_and_objects(gemma_dir):
    model = build.causal_lm(build.gemma())
    findings = introspect.inspect(str(gemma_dir), model)
    kinds = [f.kind for f in findings]
    assert "checkpoint-matches-config" in kinds and "model-trainable" in kinds


def test_verify_tied_head_before_and_after_the_fix(gemma_dir, tmp_path):
    before = introspect.verify(TIED_HEAD, [adapter(gemma_dir, tmp_path / "before", ["q_proj", "lm_head"]), gemma_dir])
    assert not before.passed
    assert before.facts["still_present"]
    after = introspect.verify(TIED_HEAD, [adapter(gemma_dir, tmp_path / "after", ["q_proj", "v_proj"]), gemma_dir])
    assert after.passed
    assert after.facts["checks"]["adapter-leaves-embeddings"]["embedding_weights"] == {}


def test_verify_shards(gemma_dir, tmp_path):
    folder = build.save(build.causal_lm(build.gemma()), tmp_path / "sharded", max_shard_size="10KB")
    assert introspect.verify(INCOMPLETE, [folder]).passed
    build.delete_last_shard(folder)
    result = introspect.verify(INCOMPLETE, [folder])
    assert not result.passed
    assert result.facts["checks"]["shards-absent"]["absent"]


def test_verify_without_an_applicable_check(gemma_dir):
    result = introspect.verify("cuda-out-of-memory", [gemma_dir])
    assert not result.passed
    assert "no check" in result.facts["reason"]


def test_inspection_never_changes_files(gemma_dir, tmp_path):
    folder = adapter(gemma_dir, tmp_path / "lora", ["lm_head"])
    paths = [folder, gemma_dir]

    def snapshot():
        return {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
                for root in paths for p in sorted(root.rglob("*")) if p.is_file()}

    before = snapshot()
    introspect.inspect_paths(paths)
    assert snapshot() == before


def test_importing_the_layer_does_not_import_torch():
    code = ("import sys, kbfix.introspect, kbfix.hook, kbfix.ipython, kbfix.probes; "
            "sys.exit(1 if {'torch', 'transformers'} & set(sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_an_all_clear_does_not_clear_another_artifacts_problem():
    from kbfix.model import Finding

    entry = "checkpoint-size-mismatch-wrong-architecture"
    found = introspect.reconcile([
        Finding("adapter-for-other-base", "adapter", "does not fit", supports=(entry,)),
        Finding("checkpoint-matches-config", "base", "fine", refutes=(entry, "vocab-size-mismatch")),
        Finding("adapter-fits", "adapter", "same subject", refutes=(entry,)),
    ])
    assert found[1].refutes == ("vocab-size-mismatch",)
    assert found[2].refutes == (entry,)

from kbfix.introspect import inspect_paths
from kbfix.probes import detect, shards

from . import build

INCOMPLETE = "checkpoint-missing-keys-incomplete"


def test_complete_shards_refute_incomplete(qwen_sharded):
    findings = shards.run(detect(qwen_sharded))
    assert [f.kind for f in findings] == ["shards-complete"]
    assert findings[0].facts["shards"] > 2
    assert not any(f.supports for f in inspect_paths([qwen_sharded]))


def test_deleted_shard(qwen_sharded, tmp_path):
    folder = build.copy(qwen_sharded, tmp_path / "partial")
    last = build.delete_last_shard(folder)
    findings = shards.run(detect(folder))
    assert findings[0].kind == "shards-absent"
    assert findings[0].facts["absent"] == [last.name]
    assert findings[0].supports == (INCOMPLETE,)
    every = inspect_paths([folder])
    # the keys of the absent shard are the shard's loss, not a key mismatch
    assert {e for f in every for e in f.supports} == {INCOMPLETE}
    assert not any(f.kind == "layers-missing" for f in every)


def test_shard_lacking_its_tensors(qwen_sharded, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = build.copy(qwen_sharded, tmp_path / "short")
    first = min(folder.glob("model-*.safetensors"))
    tensors = load_file(first)
    tensors.pop(min(tensors))
    save_file(tensors, first, metadata={"format": "pt"})
    findings = shards.run(detect(folder))
    assert findings[0].kind == "shards-lack-tensors"
    assert findings[0].facts["lacking"] == {first.name: 1}

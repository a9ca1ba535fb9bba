from kbfix.introspect import inspect_paths
from kbfix.probes import detect, weights_readable

from . import build

CORRUPT = "safetensors-corrupt-or-lfs-pointer"
INCOMPLETE = "checkpoint-missing-keys-incomplete"


def supported(findings):
    return {entry for f in findings for entry in f.supports}


def test_healthy_files_refute_corruption(qwen_dir):
    findings = weights_readable.run(detect(qwen_dir))
    assert [f.kind for f in findings] == ["weights-readable"]
    assert CORRUPT in findings[0].refutes


def test_lfs_pointer_instead_of_weights(qwen_dir, tmp_path):
    folder = build.copy(qwen_dir, tmp_path / "clone")
    build.lfs_pointer(folder / "model.safetensors")
    findings = inspect_paths([folder])
    pointer = [f for f in findings if f.kind == "lfs-pointer-file"]
    assert pointer and pointer[0].supports == (CORRUPT,)
    assert pointer[0].facts["declared_size"] == (qwen_dir / "model.safetensors").stat().st_size
    assert supported(findings) == {CORRUPT}


def test_truncated_safetensors(qwen_dir, tmp_path):
    folder = build.copy(qwen_dir, tmp_path / "cut")
    file = folder / "model.safetensors"
    with open(file, "r+b") as f:
        f.truncate(file.stat().st_size - 100)
    findings = weights_readable.run(detect(folder))
    assert findings[0].kind == "weights-file-truncated"
    assert set(findings[0].supports) == {INCOMPLETE, CORRUPT}


def test_garbage_header(tmp_path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!" + b"\x00" * 64)
    findings = weights_readable.run(detect(file))
    assert findings[0].kind == "safetensors-header-unreadable"
    assert "InvalidHeaderDeserialization" in findings[0].facts["reason"]


def test_truncated_torch_file(tmp_path):
    import torch

    file = tmp_path / "pytorch_model.bin"
    torch.save({"w": torch.zeros(64, 64)}, file)
    with open(file, "r+b") as f:
        f.truncate(file.stat().st_size // 2)
    findings = weights_readable.run(detect(file))
    assert findings[0].kind == "weights-file-truncated"

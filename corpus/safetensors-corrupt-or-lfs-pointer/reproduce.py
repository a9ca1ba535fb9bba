"""A repository cloned without git-lfs: model.safetensors is a 130-byte pointer text file, not weights."""

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0, 1)

POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:6f1c3b0e1f8c0c3c1e9b8a2d8f0b5e7a4c2d9e1f3a5b7c9d0e2f4a6b8c0d1e3f\n"
    "size 438000000\n"
)


def _save(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    BertModel(config).save_pretrained(folder)


def _is_lfs_pointer(path):
    """Fix 1: a pointer file is tiny text starting with 'version https://git-lfs'."""
    with open(path, "rb") as f:
        return f.read(40).startswith(b"version https://git-lfs.github.com/spec")


def reproduce():
    import os
    import tempfile

    from transformers import BertModel

    with tempfile.TemporaryDirectory() as folder:
        _save(folder)
        with open(os.path.join(folder, "model.safetensors"), "w", encoding="utf-8") as f:
            f.write(POINTER)  # what `git clone` leaves when git-lfs is not installed
        BertModel.from_pretrained(folder)


def fixed():
    import os
    import shutil
    import tempfile

    from transformers import BertModel

    with tempfile.TemporaryDirectory() as source, tempfile.TemporaryDirectory() as folder:
        _save(source)  # stands in for the LFS server that holds the real file
        shutil.copytree(source, folder, dirs_exist_ok=True)
        weights = os.path.join(folder, "model.safetensors")
        with open(weights, "w", encoding="utf-8") as f:
            f.write(POINTER)
        assert _is_lfs_pointer(weights)  # fix 1 finds the pointer
        shutil.copy(os.path.join(source, "model.safetensors"), weights)  # fix 0: `git lfs pull` replaces it
        assert not _is_lfs_pointer(weights)
        BertModel.from_pretrained(folder)

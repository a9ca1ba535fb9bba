"""A model folder cloned without git-lfs: tokenizer.model is a ~130-byte pointer text file, not a sentencepiece
ModelProto. Loading the slow sentencepiece tokenizer from it makes the real sentencepiece library raise
``RuntimeError: Internal: could not parse ModelProto from .../tokenizer.model`` (0.1.9x: the ``ParseFromArray``
check). BertGenerationTokenizer is used because it is a sentencepiece-backed slow tokenizer in both transformers 4.x
and 5.x (LlamaTokenizer became tokenizers-backed in 5.x). A tiny sentencepiece model is trained on the fly; nothing
is downloaded.

fixed(): fix 2 detects the pointer, fix 0 puts the real file in place (what `git lfs pull` does), and the same
folder loads.
"""

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('sentencepiece==0.2.3',)
REQUIRES = ("transformers", "sentencepiece")
FIXES = (0, 2)

POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:9e556afd44213b6bd1be2b850ebbbd98f5481437a8021afaf58ee7fb1818d347\n"
    "size 499723\n"
)


def _train_model():
    """Bytes of a real (tiny) sentencepiece model: stands in for the file the LFS server holds."""
    import io

    import sentencepiece as spm

    lines = [f"the quick brown fox {i} jumps over the lazy dog number {i * 7}" for i in range(300)]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=buf, vocab_size=60,
                                   model_type="unigram", minloglevel=2)
    return buf.getvalue()


def _is_lfs_pointer(path):
    """Fix 2: a pointer file is tiny text starting with 'version https://git-lfs'."""
    with open(path, "rb") as f:
        return f.read(40).startswith(b"version https://git-lfs.github.com/spec")


def _load(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import BertGenerationTokenizer

    return BertGenerationTokenizer.from_pretrained(folder)


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "tokenizer.model"), "w", encoding="utf-8") as f:
            f.write(POINTER)  # what `git clone` leaves when git-lfs is not installed
        _load(folder)


def fixed():
    import os
    import tempfile

    real = _train_model()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "tokenizer.model")
        with open(path, "w", encoding="utf-8") as f:
            f.write(POINTER)
        assert _is_lfs_pointer(path)  # fix 2 finds the pointer
        with open(path, "wb") as f:  # fix 0: `git lfs pull` / hf download replaces it with the real file
            f.write(real)
        assert not _is_lfs_pointer(path)
        tokenizer = _load(folder)
        ids = tokenizer("the quick brown fox").input_ids
        assert ids, ids

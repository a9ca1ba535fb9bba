"""The FAISS index over corpus documents, cached on disk as a folder with a manifest.

A saved index is ``<cache>/index-<key>/`` (key: :func:`kbfix.cache.key` of the encoder id and the
corpus hash) holding ``index.faiss``, ``docs.json`` and ``manifest.json`` (encoder id, dimension,
corpus hash, document count, checksums of both files, signed with the cache's per-user key). It is
built on first use; one whose manifest disagrees with the encoder or the corpus, whose signature does
not verify, or whose files are unreadable or corrupt, is rebuilt, never trusted. A build writes into a fresh temporary
folder and renames it into place, so readers never see half a folder and two processes building at
once both end with a complete index.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from kbfix import cache
from kbfix.engine.documents import Doc
from kbfix.engine.encode import Encoder

INDEX_VERSION = 3
SIGNED = ("version", "encoder", "dim", "corpus_hash", "count", "index_checksum", "docs_checksum")


def _sha(path: Path) -> str:
    return cache.checksum(path.read_bytes())


def _signed_part(manifest: dict) -> bytes:
    return json.dumps({k: manifest.get(k) for k in SIGNED}, sort_keys=True).encode()


class DenseIndex:
    """Vectors of the corpus documents in a FAISS inner-product index (vectors are unit length)."""

    def __init__(self, index, docs: list[Doc], manifest: dict):
        self.index = index
        self.docs = docs
        self.manifest = manifest

    @property
    def encoder_id(self) -> str:
        return str(self.manifest.get("encoder"))

    @property
    def dim(self) -> int:
        return int(self.manifest.get("dim", 0))

    def search(self, vectors: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        k = min(k or len(self.docs), len(self.docs))
        return self.index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)


def build(encoder: Encoder, docs: list[Doc], corpus_hash: str, progress: Callable[[int, int], None] | None = None):
    import faiss

    vectors = np.zeros((len(docs), encoder.dim), dtype=np.float32)
    step = 64
    for start in range(0, len(docs), step):
        vectors[start:start + step] = encoder.encode([d.text for d in docs[start:start + step]])
        if progress:
            progress(min(start + step, len(docs)), len(docs))
    index = faiss.IndexFlatIP(encoder.dim)
    if len(docs):
        index.add(vectors)
    manifest = {"version": INDEX_VERSION, "encoder": encoder.id, "dim": encoder.dim,
                "corpus_hash": corpus_hash, "count": len(docs)}
    return DenseIndex(index, docs, manifest)


def save(dense: DenseIndex, folder: Path) -> Path:
    """Write atomically: build in a temporary sibling folder, then rename it into place."""
    import faiss

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-index-", dir=folder.parent))
    try:
        faiss.write_index(dense.index, str(tmp / "index.faiss"))
        (tmp / "docs.json").write_text(json.dumps([d.__dict__ for d in dense.docs]), encoding="utf-8")
        manifest = dict(dense.manifest, index_checksum=_sha(tmp / "index.faiss"), docs_checksum=_sha(tmp / "docs.json"))
        signature = cache.sign_bytes(_signed_part(manifest))
        if signature is None:
            raise OSError("the cache's signing key cannot be made or read")
        manifest["signature"] = signature
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for written in tmp.iterdir():
            written.chmod(0o600)  # whatever the umask: a file others can write is never trusted
        try:
            os.rename(tmp, folder)
        except OSError:
            if _valid(folder, dense.manifest) is None:  # a corrupt one is in the way: replace it
                shutil.rmtree(folder, ignore_errors=True)
                os.rename(tmp, folder)
            # else another process finished the same index first; keep theirs
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _valid(folder: Path, expected: dict) -> DenseIndex | None:
    """Load the saved index if its manifest and files agree with ``expected``; else None."""
    import faiss

    if not all(cache.trusted(p) for p in (folder, folder / "manifest.json", folder / "index.faiss", folder / "docs.json")):
        return None
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for key in ("version", "encoder", "dim", "corpus_hash"):
            if manifest.get(key) != expected[key]:
                return None
        if not cache.verify_bytes(_signed_part(manifest), manifest.get("signature", "")):
            return None
        if manifest.get("index_checksum") != _sha(folder / "index.faiss") or \
                manifest.get("docs_checksum") != _sha(folder / "docs.json"):
            return None
        docs = [Doc(**d) for d in json.loads((folder / "docs.json").read_text(encoding="utf-8"))]
        index = faiss.read_index(str(folder / "index.faiss"))
    except (OSError, ValueError, TypeError, KeyError, RuntimeError):
        return None
    if index.ntotal != len(docs) or index.d != expected["dim"] or manifest.get("count") != len(docs):
        return None
    return DenseIndex(index, docs, manifest)


KEEP_INDEXES = 4


def load_or_build(encoder: Encoder, docs_fn: Callable[[], list[Doc]], corpus_hash: str, *,
                  rebuild: bool = False, progress: Callable[[int, int], None] | None = None,
                  ) -> tuple[DenseIndex, bool, str | None]:
    """Return the cached index for this encoder and corpus, building it when needed.

    Returns (index, built, problem). A cache that cannot be written (read-only home, a folder
    others can write) still gives a working in-memory index; ``problem`` then says why.
    """
    folder = cache.path("index", INDEX_VERSION, encoder.id, corpus_hash, suffix="")
    expected = {"version": INDEX_VERSION, "encoder": encoder.id, "dim": encoder.dim, "corpus_hash": corpus_hash}
    if not rebuild and folder.exists():
        dense = _valid(folder, expected)
        if dense is not None:
            return dense, False, None
    dense = build(encoder, docs_fn(), corpus_hash, progress)
    if cache.ensure_dir() is None:
        return dense, True, None  # the engine's status already says why the cache is not used
    try:
        if rebuild and folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        save(dense, folder)
    except OSError as exc:  # an unwritable cache costs a rebuild next time, nothing more
        return dense, True, f"index cache not written to {folder}: {exc}"
    cache.prune(folder.parent, "index-*", keep=KEEP_INDEXES, spare=folder)  # indexes of older corpus versions and encoders
    return dense, True, None

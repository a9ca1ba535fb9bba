"""The dense index over corpus documents, cached on disk as a folder with a manifest.

A saved index is ``<cache>/index-<key>/`` (key: :func:`kbfix.cache.key` of the encoder id and the
corpus key: corpus hash, documents version and count) holding ``vectors.npy`` (the unit-length
document vectors, float32, read with ``allow_pickle=False``) and ``manifest.json`` (encoder id,
dimension, corpus key, document count, checksum of the vectors, signed with the cache's per-user key).
The documents themselves are the prepared corpus's (:mod:`kbfix.engine.documents`): the key binds
them. It is built on first use; one whose manifest disagrees with the encoder or the corpus, whose
signature does not verify, or whose files are unreadable or corrupt, is rebuilt, never trusted. A
build writes into a fresh temporary folder and renames it into place, so readers never see half a
folder and two processes building at once both end with a complete index.

Search is exact inner product. Up to :data:`FAISS_FROM` vectors it is one numpy product (the same
computation as FAISS's ``IndexFlatIP``, without FAISS's import, which costs more than the whole
search for the shipped corpus); larger indexes (a corpus grown with one's own entries) are searched
with a FAISS flat index made from the same vectors.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from kbfix import cache
from kbfix.engine.documents import Doc
from kbfix.engine.encode import Encoder

INDEX_VERSION = 4
SIGNED = ("version", "encoder", "dim", "corpus_hash", "count", "vectors_checksum")
FAISS_FROM = 50_000


def _sha(path: Path) -> str:
    return cache.checksum(path.read_bytes())


def _signed_part(manifest: dict) -> bytes:
    return json.dumps({k: manifest.get(k) for k in SIGNED}, sort_keys=True).encode()


class DenseIndex:
    """Unit-length vectors of the corpus documents, searched by inner product (cosine)."""

    def __init__(self, vectors: np.ndarray, docs: Sequence[Doc] | Callable[[], Sequence[Doc]], manifest: dict):
        self.vectors = vectors
        self._docs = docs  # or what gives them: a loaded index's row i is document i of the prepared corpus
        self.manifest = manifest
        self._faiss = None

    @property
    def docs(self) -> Sequence[Doc]:
        if callable(self._docs):
            self._docs = self._docs()
        return self._docs

    @property
    def count(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def encoder_id(self) -> str:
        return str(self.manifest.get("encoder"))

    @property
    def dim(self) -> int:
        return int(self.manifest.get("dim", 0))

    def search(self, vectors: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, document indices) of the ``k`` nearest documents per query row, best first."""
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        k = min(k or self.count, self.count)
        if self.count >= FAISS_FROM:
            return self._faiss_index().search(queries, k)
        sims = queries @ self.vectors.T
        order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(sims, order, axis=1), order

    def _faiss_index(self):
        if self._faiss is None:
            import faiss

            self._faiss = faiss.IndexFlatIP(self.dim)
            self._faiss.add(self.vectors)
        return self._faiss


def build(encoder: Encoder, docs: list[Doc], corpus_hash: str, progress: Callable[[int, int], None] | None = None):
    vectors = np.zeros((len(docs), encoder.dim), dtype=np.float32)
    step = 64
    for start in range(0, len(docs), step):
        vectors[start:start + step] = encoder.encode([d.text for d in docs[start:start + step]])
        if progress:
            progress(min(start + step, len(docs)), len(docs))
    manifest = {"version": INDEX_VERSION, "encoder": encoder.id, "dim": encoder.dim,
                "corpus_hash": corpus_hash, "count": len(docs)}
    return DenseIndex(vectors, docs, manifest)


def save(dense: DenseIndex, folder: Path) -> Path:
    """Write atomically: build in a temporary sibling folder, then rename it into place."""
    import shutil  # a writer's modules: loading a saved index never needs them
    import tempfile

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-index-", dir=folder.parent))
    try:
        with open(tmp / "vectors.npy", "wb") as handle:
            np.save(handle, dense.vectors, allow_pickle=False)
        manifest = dict(dense.manifest, vectors_checksum=_sha(tmp / "vectors.npy"))
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
            if _valid(folder, dense.manifest, dense.count, dense.docs) is None:  # a corrupt one is in the way: replace it
                shutil.rmtree(folder, ignore_errors=True)
                os.rename(tmp, folder)
            # else another process finished the same index first; keep theirs
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _valid(folder: Path, expected: dict, count: int, docs: Sequence[Doc] | Callable[[], Sequence[Doc]],
           ) -> DenseIndex | None:
    """Load the saved index if its manifest and vectors agree with ``expected`` and the ``count`` of
    ``docs``; else None."""
    vectors_path = folder / "vectors.npy"
    if not all(cache.trusted(p) for p in (folder, folder / "manifest.json", vectors_path)):
        return None
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for key in ("version", "encoder", "dim", "corpus_hash"):
            if manifest.get(key) != expected[key]:
                return None
        if not cache.verify_bytes(_signed_part(manifest), manifest.get("signature", "")):
            return None
        raw = vectors_path.read_bytes()
        if manifest.get("vectors_checksum") != cache.checksum(raw):
            return None
        vectors = np.load(io.BytesIO(raw), allow_pickle=False)
    except (OSError, ValueError, TypeError, KeyError, EOFError):
        return None
    if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape != (count, expected["dim"]) \
            or manifest.get("count") != count:
        return None
    return DenseIndex(vectors, docs, manifest)


KEEP_INDEXES = 4


def load_or_build(encoder: Encoder, docs_fn: Callable[[], Sequence[Doc]], corpus_hash: str, *,
                  rebuild: bool = False, progress: Callable[[int, int], None] | None = None,
                  count: int | None = None) -> tuple[DenseIndex, bool, str | None]:
    """Return the cached index for this encoder and corpus, building it when needed.

    ``count``: how many documents ``docs_fn`` gives, when known without calling it: a saved index is
    then checked and loaded without the documents' texts (read only when it must be built).

    Returns (index, built, problem). A cache that cannot be written (read-only home, a folder
    others can write) still gives a working in-memory index; ``problem`` then says why.
    """
    folder = cache.path("index", INDEX_VERSION, encoder.id, corpus_hash, suffix="")
    expected = {"version": INDEX_VERSION, "encoder": encoder.id, "dim": encoder.dim, "corpus_hash": corpus_hash}
    docs = docs_fn() if count is None else None
    if not rebuild and folder.exists():
        dense = (_valid(folder, expected, count, docs_fn) if docs is None
                 else _valid(folder, expected, len(docs), docs))
        if dense is not None:
            return dense, False, None
    dense = build(encoder, docs if docs is not None else docs_fn(), corpus_hash, progress)
    if cache.ensure_dir() is None:
        return dense, True, None  # the engine's status already says why the cache is not used
    try:
        if rebuild and folder.exists():
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
        save(dense, folder)
    except OSError as exc:  # an unwritable cache costs a rebuild next time, nothing more
        return dense, True, f"index cache not written to {folder}: {exc}"
    cache.prune(folder.parent, "index-*", keep=KEEP_INDEXES, spare=folder)  # indexes of older corpus versions and encoders
    return dense, True, None

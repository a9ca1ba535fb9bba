"""The dense index cache: built once, reused, rebuilt when stale or corrupt, safe under concurrency."""

import json
import shutil
import subprocess
import sys


import pytest

from kbfix.engine import encode, index
from kbfix.engine.documents import Doc
from conftest import ROOT

DOCS = [Doc("a", "title", "optimizer got an empty parameter list"), Doc("b", "title", "CUDA out of memory")]


def _encoder():
    return encode.load_encoder(None)


@pytest.fixture
def tmp_path(tmp_path, monkeypatch):
    """Each test's cache is its own temporary folder."""
    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_built_once_then_reused(tmp_path):
    enc = _encoder()
    first, built, _ = index.load_or_build(enc, lambda: DOCS, "hash1")
    assert built and first.count == 2
    manifest = json.loads(next(tmp_path.glob("index-*/manifest.json")).read_text())
    assert manifest["encoder"] == enc.id and manifest["dim"] == enc.dim and manifest["corpus_hash"] == "hash1"
    second, built, _ = index.load_or_build(enc, lambda: DOCS, "hash1")
    assert not built and [d.entry_id for d in second.docs] == ["a", "b"]
    sims, ids = second.search(enc.encode(["empty parameter list optimizer"]), 1)
    assert ids[0][0] == 0


def test_stale_corpus_hash_builds_a_new_index(tmp_path):
    enc = _encoder()
    index.load_or_build(enc, lambda: DOCS, "hash1")
    _, built, _ = index.load_or_build(enc, lambda: DOCS[:1], "hash2")
    assert built


def test_indexes_of_old_corpus_versions_are_pruned(tmp_path):
    enc = _encoder()
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not ours")
    (tmp_path / "index-link-to-outside").symlink_to(outside)  # a link is removed, never followed
    for n in range(index.KEEP_INDEXES + 3):
        index.load_or_build(enc, lambda: DOCS, f"hash{n}")
    left = sorted(p.name for p in tmp_path.glob("index-*"))
    assert len(left) == index.KEEP_INDEXES
    newest = index.load_or_build(enc, lambda: DOCS, f"hash{index.KEEP_INDEXES + 2}")
    assert not newest[1]  # the index just built is among those kept
    assert (outside / "keep.txt").exists()


def test_corrupt_or_tampered_cache_is_rebuilt(tmp_path):
    enc = _encoder()
    index.load_or_build(enc, lambda: DOCS, "h")
    folder = next(tmp_path.glob("index-*"))
    (folder / "vectors.npy").write_bytes(b"garbage")
    dense, built, _ = index.load_or_build(enc, lambda: DOCS, "h")
    assert built and dense.count == 2
    again, built, _ = index.load_or_build(enc, lambda: DOCS, "h")
    assert not built  # the rebuilt folder replaced the corrupt one
    (folder / "manifest.json").write_text("{not json")
    _, built, _ = index.load_or_build(enc, lambda: DOCS, "h")
    assert built


def test_unwritable_cache_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KBFIX_CACHE_DIR", str(blocker))
    dense, built, _ = index.load_or_build(_encoder(), lambda: DOCS, "h")
    assert built and dense.count == 2


def test_two_processes_building_at_once(tmp_path):
    code = ("import sys; from kbfix.engine import build_engine; e = build_engine(); "
            "print(e.dense.count)")
    snapshot = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", snapshot)
    cache = tmp_path / "cache"
    env = {"KBFIX_CACHE_DIR": str(cache), "KBFIX_CORPUS": str(snapshot), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=ROOT, env=env) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    counts = {int(o[0].strip()) for o in outs}
    assert len(counts) == 1
    assert not [p for p in cache.iterdir() if p.name.startswith(".tmp")]  # no temp files left behind
    folders = [p for p in cache.iterdir() if p.name.startswith("index-")]
    assert len(folders) == 1, folders
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    assert manifest["count"] == counts.pop()


def test_data_caches_survive_garbage_and_unwritable_folders(tmp_path):
    from kbfix.cache import load_data, store_data

    path = tmp_path / "corpus-abc.bin"
    assert load_data(path, dict) is None  # missing
    path.write_text("{not data")
    assert load_data(path, lambda d: d["docs"]) is None  # unreadable
    assert store_data(path, {"docs": [1]}) and load_data(path, lambda d: d["docs"]) == [1]
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert store_data(blocker / "corpus-x.bin", {}) is False


def test_numpy_search_agrees_with_faiss(tmp_path, monkeypatch):
    """The small-index path (one numpy product) ranks exactly as FAISS's flat inner-product index."""
    from kbfix import corpus
    from kbfix.engine.documents import load_or_prepare

    enc = _encoder()
    docs = load_or_prepare(corpus.load_cached()).docs[:400]
    dense, _, _ = index.load_or_build(enc, lambda: docs, "agree")
    queries = enc.encode(["CUDA out of memory", "size mismatch for pos_embed", "No module named 'peft'"])
    sims, ids = dense.search(queries, 10)
    monkeypatch.setattr(index, "FAISS_FROM", 1)
    faiss_sims, faiss_ids = index.DenseIndex(dense.vectors, docs, dense.manifest).search(queries, 10)
    assert abs(sims - faiss_sims).max() < 1e-5  # the same similarities, rank by rank
    full = queries @ dense.vectors.T
    for row in range(3):  # the same documents, rank by rank, up to the order of exact ties
        for ours, theirs in zip(ids[row], faiss_ids[row]):
            assert ours == theirs or abs(full[row, ours] - full[row, theirs]) < 1e-6
    assert ids.shape == (3, 10) and (sims[:, :-1] >= sims[:, 1:]).all()


def test_data_cache_rejects_an_edited_payload_the_old_format_and_another_python(tmp_path):
    from kbfix import cache

    path = tmp_path / "entries-abc.bin"
    assert cache.store_data(path, {"hash": "h", "entries": ["one"]})
    raw = path.read_bytes()
    assert cache.load_data(path, lambda d: d["entries"]) == ["one"]
    path.write_bytes(raw.replace(b"one", b"two"))  # same length, digest no longer matches
    assert cache.load_data(path, lambda d: d["entries"]) is None
    path.write_text(json.dumps({"digest": "0" * 64, "payload": "{}"}))  # a cache written by an older kbfix
    assert cache.load_data(path, dict) is None
    header, _, payload = raw.partition(b"\n")  # signed, but by a Python with another marshal format
    path.write_bytes(header.replace(cache.DATA_MAGIC, b"kbfix-cache-marshal 4 cpython-399 ") + b"\n" + payload)
    assert cache.load_data(path, lambda d: d["entries"]) is None


def test_a_data_cache_holds_only_plain_values(tmp_path):
    """Enums become their values and tuples stay tuples; an object that is not plain data is refused
    (nothing but plain values is ever marshalled, so nothing else is ever read back)."""
    from kbfix import cache
    from kbfix.model import Applicability

    path = tmp_path / "entries-plain.bin"
    assert cache.store_data(path, {"a": (Applicability.SAFE, [1.5, None, True])})
    assert cache.load_data(path, lambda d: d) == {"a": (Applicability.SAFE.value, [1.5, None, True])}
    assert type(cache.load_data(path, lambda d: d["a"][0])) is str
    assert cache.store_data(tmp_path / "entries-code.bin", {"f": compile("1", "x", "eval")}) is False
    assert cache.store_data(tmp_path / "entries-set.bin", {"s": {1, 2}}) is False


def test_a_cached_start_scores_without_the_documents_texts(tmp_path):
    """A diagnosis from the cache reads no document text (only building the index needs them), and a
    missing texts file only costs preparing the texts again when the index must be built."""
    from kbfix.engine import build_engine
    from kbfix import traceback as tb

    text = (ROOT / "scripts" / "eval" / "cases" / "none__lead-torch-compile-graph-break.txt").read_text()
    first = build_engine(lazy=True)
    expected = first.diagnose(tb.parse(text))
    assert first.dense is not None  # no signature decided it: the dense stage ran
    again = build_engine(lazy=True)
    assert again.diagnose(tb.parse(text)) == expected
    assert callable(again.scorer.prepared._texts)  # the texts were never read
    for path in [*tmp_path.glob("doctext-*"), *tmp_path.glob("index-*")]:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    rebuilt = build_engine(lazy=True)
    assert rebuilt.diagnose(tb.parse(text)) == expected
    assert list(tmp_path.glob("doctext-*")) and list(tmp_path.glob("index-*"))  # both written again

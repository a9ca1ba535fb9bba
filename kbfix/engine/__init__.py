"""The matching engine: signatures and BM25 (lexical), encoders (encode), the FAISS cache (index),
fusion and abstention (rank). ``get_engine`` loads it all once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

from kbfix import corpus as corpus_mod
from kbfix.engine import encode, index
from kbfix.engine.prepared import PREP_VERSION, load_or_prepare
from kbfix.engine.rank import Engine, load_calibration


def build_engine(root: Path | str | None = None, model: str | None = None, *, rebuild: bool = False,
                 progress: Callable[[int, int], None] | None = None, dense: bool = True) -> Engine:
    """Load the corpus, the encoder and the (cached) FAISS index; raise on a broken corpus."""
    corpus = corpus_mod.load(root, strict=False)
    prepared = load_or_prepare(corpus)
    notes: list[str] = []
    if corpus.problems:
        skipped = sorted({Path(p.file).parent.name if p.file.endswith(".md") else Path(p.file).parent.name for p in corpus.problems})
        notes.append(f"{len(skipped)} corpus entr{'y' if len(skipped) == 1 else 'ies'} skipped as invalid "
                     f"({', '.join(skipped[:5])}); run 'kbfix corpus check'")
    dense_index = encoder = None
    if dense:
        encoder = encode.load_encoder(model)
        dense_index, _ = index.load_or_build(encoder, lambda: prepared.docs, f"{corpus.hash}:{PREP_VERSION}:{len(prepared.docs)}",
                                             rebuild=rebuild, progress=progress)
        if "cache_error" in dense_index.manifest:
            notes.append(dense_index.manifest["cache_error"])
    return Engine(corpus, prepared, dense_index, encoder, load_calibration(), tuple(notes))


@lru_cache(maxsize=4)
def get_engine(root: str | None = None, model: str | None = None) -> Engine:
    return build_engine(root, encode.model_setting(model))

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
                 progress: Callable[[int, int], None] | None = None, dense: bool = True,
                 lazy: bool = False) -> Engine:
    """Load the corpus, the encoder and the (cached) FAISS index.

    ``lazy``: load the encoder and index only when a diagnosis needs them (the pipe and the API).
    """
    corpus = corpus_mod.load_cached(root)
    prepared = load_or_prepare(corpus)
    notes: list[str] = []
    if corpus.problems:
        skipped = sorted({Path(p.file).parent.name for p in corpus.problems})
        notes.append(f"{len(skipped)} corpus entr{'y' if len(skipped) == 1 else 'ies'} skipped as invalid "
                     f"({', '.join(skipped[:5])}); run 'kbfix corpus check'")

    def load_dense():
        encoder = encode.load_encoder(model)
        dense_index, _ = index.load_or_build(encoder, lambda: prepared.docs, f"{corpus.hash}:{PREP_VERSION}:{len(prepared.docs)}",
                                             rebuild=rebuild, progress=progress)
        if "cache_error" in dense_index.manifest:
            engine.notes.append(dense_index.manifest["cache_error"])
        return dense_index, encoder

    engine = Engine(corpus, prepared, None, None, load_calibration(), notes, dense_loader=load_dense if dense else None)
    if dense and not lazy:
        engine.load_dense()
    return engine


@lru_cache(maxsize=4)
def get_engine(root: str | None = None, model: str | None = None) -> Engine:
    model = encode.model_setting(model)
    return build_engine(root, model, lazy=model is None)  # a model asked for by name is loaded (and checked) at once

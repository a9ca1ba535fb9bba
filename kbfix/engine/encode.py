"""Text encoders for dense retrieval.

The default is the static embedding shipped in ``kbfix/encoder/`` (a sentence-transformers folder
with one ``StaticEmbedding`` module, built by ``scripts/build_encoder.py``). It is computed here with
``tokenizers`` and numpy alone: the mean of the token vectors, exactly what sentence-transformers'
``StaticEmbedding`` computes, without importing torch. Any other sentence-transformers model is
selected with ``--model`` / ``$KBFIX_MODEL`` and loaded through sentence-transformers, lazily.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kbfix.cache import checksum

if TYPE_CHECKING:
    import numpy as np

DEFAULT_ENCODER_DIR = Path(__file__).resolve().parent.parent / "encoder"
DTYPES = {"F32": "float32", "F16": "float16", "BF16": None, "F64": "float64"}  # numpy loads on first use


class Encoder(Protocol):
    id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class EncoderError(RuntimeError):
    """The encoder could not be loaded; the message says what to do."""


def read_safetensors(path: Path, name: str) -> np.ndarray:
    """Read one tensor from a safetensors file with numpy (header, then that tensor's bytes)."""
    import numpy as np

    with open(path, "rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
        if name not in header:
            raise EncoderError(f"{path}: no tensor named {name!r}")
        info = header[name]
        dtype = DTYPES.get(info["dtype"])
        if dtype is None:
            raise EncoderError(f"{path}: tensor dtype {info['dtype']} is not supported; save as F32 or F16")
        start, end = info["data_offsets"]
        shape = tuple(int(n) for n in info["shape"])
        if end - start != int(np.prod(shape)) * np.dtype(dtype).itemsize or 8 + size + end > os.fstat(handle.fileno()).st_size:
            raise EncoderError(f"{path}: tensor {name!r} does not fit its offsets; rebuild the encoder")
    # mapped, not read: a query touches only its tokens' rows (building the index reads them all)
    data = np.memmap(path, dtype=dtype, mode="r", offset=8 + size + start, shape=shape)
    return data.astype(np.float32, copy=False)  # F32 as shipped: no copy


def _normalize(vectors: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class StaticEncoder:
    """Mean of token embeddings, as sentence-transformers' StaticEmbedding, in numpy."""

    def __init__(self, tokenizer, weights: np.ndarray, encoder_id: str):
        self.tokenizer = tokenizer
        self.weights = weights
        self.dim = int(weights.shape[1])
        self.id = encoder_id

    @classmethod
    def load(cls, folder: Path) -> "StaticEncoder":
        from tokenizers import Tokenizer

        module = _static_module_dir(folder)
        weights_path = module / "model.safetensors"
        digest = _recorded_digest(folder, weights_path) or checksum(weights_path.read_bytes())
        return cls(Tokenizer.from_file(str(module / "tokenizer.json")),
                   read_safetensors(weights_path, "embedding.weight"), f"static:{folder.name}:{digest}")

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                out[row] = self.weights[encoding.ids].mean(axis=0)
        return _normalize(out)


def _recorded_digest(folder: Path, weights_path: Path) -> str | None:
    """The weights' sha256 as scripts/build_encoder.py recorded it, if the file size still agrees."""
    try:
        build = json.loads((folder / "BUILD.json").read_text())
        if build.get("weights_bytes") == weights_path.stat().st_size:
            return str(build["weights_sha256"])[:12]
    except (OSError, ValueError, KeyError):
        return None
    return None


def _static_module_dir(folder: Path) -> Path:
    modules_file = folder / "modules.json"
    if not modules_file.exists():
        raise EncoderError(f"{folder} is not a sentence-transformers folder (no modules.json); "
                           "rebuild it with: python scripts/build_encoder.py")
    modules = json.loads(modules_file.read_text())
    for module in modules:
        if module.get("type", "").endswith("StaticEmbedding"):
            return folder / module["path"]
    raise EncoderError(f"{folder}: no StaticEmbedding module in modules.json")


class SentenceTransformerEncoder:
    """Any sentence-transformers model, loaded on first use (this imports torch)."""

    def __init__(self, name_or_path: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear message
            raise EncoderError(f"cannot load sentence-transformers model {name_or_path!r} offline: {exc}") from exc
        dim = self.model.get_sentence_embedding_dimension() if hasattr(self.model, "get_sentence_embedding_dimension") else None
        self.dim = int(dim or self.model.encode(["x"]).shape[1])
        path = Path(name_or_path)
        stamp = ""
        if path.is_dir():
            stamp = checksum(b"".join(p.read_bytes() for p in sorted(path.rglob("*.json"))))
        self.id = f"st:{path.resolve() if path.exists() else name_or_path}:{stamp}"

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def model_setting(explicit: str | None = None) -> str | None:
    """Which encoder to use: --model, then $KBFIX_MODEL, then None (the bundled default)."""
    value = explicit or os.environ.get("KBFIX_MODEL") or None
    return None if value in (None, "", "default") else value


_CACHE: dict[str, Encoder] = {}


def load_encoder(name_or_path: str | None = None) -> Encoder:
    """The bundled static encoder, or the sentence-transformers model named (cached per process)."""
    key = model_setting(name_or_path) or "default"
    if key not in _CACHE:
        if key == "default":
            if not DEFAULT_ENCODER_DIR.is_dir():
                raise EncoderError(f"the bundled encoder is missing at {DEFAULT_ENCODER_DIR}; "
                                   "build it with: python scripts/build_encoder.py")
            _CACHE[key] = StaticEncoder.load(DEFAULT_ENCODER_DIR)
        else:
            _CACHE[key] = SentenceTransformerEncoder(key)
    return _CACHE[key]

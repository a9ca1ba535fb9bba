"""Read the user's artifacts without loading tensors and without changing anything.

safetensors: the 8-byte length and the JSON header, parsed here. ``.bin``/``.pt``/``.pth``:
``torch.load(weights_only=True, mmap=True, map_location="meta")`` only. Configs: JSON and YAML.
Results are cached by path, size and modification time, so several probes share one read.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")
LFS_MAGIC = b"version https://git-lfs"
MAX_HEADER = 100_000_000  # safetensors refuses larger headers (HeaderTooLarge)
INDEX_NAMES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
# Files a Trainer checkpoint folder holds beside the weights.
_NOT_WEIGHTS = ("optimizer.", "scheduler.", "scaler.", "rng_state", "training_args.", "adapter_")
_STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model", "module", "params")


class HeaderError(ValueError):
    """A safetensors header that the safetensors library would refuse; the message names why."""


@dataclass(frozen=True)
class Header:
    shapes: dict[str, tuple[int, ...]]
    dtypes: dict[str, str]
    metadata: dict[str, str]
    header_len: int
    data_end: int  # the end of the last tensor's bytes, relative to the data section
    file_size: int

    @property
    def expected_size(self) -> int:
        return 8 + self.header_len + self.data_end

    @property
    def truncated(self) -> bool:
        return self.file_size < self.expected_size


@dataclass(frozen=True)
class StateDict:
    """Tensor names and shapes of one weights file."""

    shapes: dict[str, tuple[int, ...]]
    nested_under: str | None = None  # "state_dict" for checkpoints that wrap the weights
    extras: tuple[str, ...] = field(default=())  # other top-level keys (epoch, optimizer, ...)


def clear_caches() -> None:
    for cached in (_json, _header, _torch_state_dict):
        cached.cache_clear()


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def json_file(path: Path) -> object:
    return _json(*_stamp(Path(path)))


@functools.lru_cache(maxsize=256)
def _json(path: str, size: int, mtime: int) -> object:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def config_file(path: Path) -> object:
    """Read a JSON or YAML config; a YAML file without PyYAML installed is read as flat ``key: value``."""
    path = Path(path)
    if path.suffix == ".json":
        return json_file(path)
    text = path.read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        return _flat_yaml(text)
    return yaml.safe_load(text)


def _flat_yaml(text: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].rstrip()
        if not line or line.startswith(("#", " ", "-")) or ":" not in line:
            continue
        key, _, raw = line.partition(":")
        raw = raw.strip().strip("'\"")
        lowered = raw.lower()
        if lowered in ("true", "false"):
            values[key.strip()] = lowered == "true"
        elif lowered in ("null", "~", ""):
            values[key.strip()] = None
        else:
            try:
                values[key.strip()] = int(raw)
            except ValueError:
                try:
                    values[key.strip()] = float(raw)
                except ValueError:
                    values[key.strip()] = raw
    return values


def lfs_pointer(path: Path) -> dict[str, str] | None:
    """The fields of a git-lfs pointer file (version, oid, size), or ``None`` for a real file."""
    path = Path(path)
    if path.stat().st_size > 1024:
        return None
    with open(path, "rb") as f:
        head = f.read(1024)
    if not head.startswith(LFS_MAGIC):
        return None
    fields = dict(line.split(" ", 1) for line in head.decode("utf-8", "replace").splitlines() if " " in line)
    return fields


def safetensors_header(path: Path) -> Header:
    return _header(*_stamp(Path(path)))


@functools.lru_cache(maxsize=1024)
def _header(path: str, size: int, mtime: int) -> Header:
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise HeaderError(f"HeaderTooSmall: the file has {len(head)} bytes")
        length = int.from_bytes(head, "little")
        if length > MAX_HEADER:
            raise HeaderError(f"HeaderTooLarge: the first 8 bytes declare a {length}-byte header")
        if 8 + length > size:
            raise HeaderError(f"InvalidHeaderLength: a {length}-byte header in a {size}-byte file")
        raw = f.read(length)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HeaderError(f"InvalidHeaderDeserialization: {exc}") from None
    if not isinstance(header, dict):
        raise HeaderError("InvalidHeaderDeserialization: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    shapes, dtypes, end = {}, {}, 0
    for name, info in header.items():
        shapes[name] = tuple(int(d) for d in info["shape"])
        dtypes[name] = str(info["dtype"])
        end = max(end, int(info["data_offsets"][1]))
    return Header(shapes, dtypes, dict(metadata), length, end, size)


def state_dict(path: Path) -> StateDict:
    """Names and shapes of the tensors in one weights file, read without loading tensor data."""
    path = Path(path)
    if path.suffix == ".safetensors":
        return StateDict(safetensors_header(path).shapes)
    return _torch_state_dict(*_stamp(path))


@functools.lru_cache(maxsize=64)
def _torch_state_dict(path: str, size: int, mtime: int) -> StateDict:
    import torch

    try:
        loaded = torch.load(path, map_location="meta", weights_only=True, mmap=True)
    except RuntimeError as exc:
        if "mmap" not in str(exc):
            raise
        # The legacy (pre-zipfile) format cannot be memory-mapped; still no unpickling of code.
        loaded = torch.load(path, map_location="meta", weights_only=True)
    return _unwrap(loaded, torch.Tensor)


def _unwrap(loaded: object, tensor_type: type) -> StateDict:
    if not isinstance(loaded, dict):
        raise ValueError(f"expected a dict of tensors, found {type(loaded).__name__}")
    tensors = {k: tuple(v.shape) for k, v in loaded.items() if isinstance(v, tensor_type)}
    if tensors:
        return StateDict(tensors)
    for key in _STATE_DICT_KEYS:
        inner = loaded.get(key)
        if isinstance(inner, dict):
            shapes = {k: tuple(v.shape) for k, v in inner.items() if isinstance(v, tensor_type)}
            if shapes:
                return StateDict(shapes, key, tuple(str(k) for k in loaded if k != key))
    raise ValueError(f"no tensors found; top-level keys: {sorted(map(str, loaded))[:10]}")


def is_weight_file(path: Path) -> bool:
    return path.suffix.lower() in WEIGHT_SUFFIXES


def full_weight_files(folder: Path) -> list[Path]:
    """Model weight files of a folder: not adapters, optimizer states or Trainer extras."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and is_weight_file(p) and not p.name.startswith(_NOT_WEIGHTS))


def adapter_weight_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith("adapter_model."))


def index_file(folder: Path) -> Path | None:
    for name in INDEX_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def weight_map(index: Path) -> dict[str, str]:
    data = json_file(index)
    if not isinstance(data, dict) or not isinstance(data.get("weight_map"), dict):
        raise ValueError(f"{index.name} has no weight_map")
    return data["weight_map"]


def resolve_model(name_or_path: str, near: Path | None = None) -> Path | None:
    """A local folder holding ``name_or_path``'s config.json: the path itself, or the HF hub cache.

    Never downloads. ``near`` is the folder of the file that named the model (relative paths).
    """
    if not name_or_path:
        return None
    candidates = [Path(name_or_path).expanduser()]
    if near is not None:
        candidates.append(near / name_or_path)
    for candidate in candidates:
        if (candidate / "config.json").is_file() or (candidate / "adapter_config.json").is_file():
            return candidate
    if name_or_path.count("/") != 1:
        return None
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface")), "hub")
    snapshots = Path(hub) / f"models--{name_or_path.replace('/', '--')}" / "snapshots"
    if not snapshots.is_dir():
        return None
    found = [s for s in snapshots.iterdir() if (s / "config.json").is_file()]
    return max(found, key=lambda s: s.stat().st_mtime) if found else None

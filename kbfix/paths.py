"""Where kbfix keeps what it derives at run time (indexes, parsed corpus)."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def checksum(data: bytes) -> str:
    """A cheap checksum for cache keys and corruption checks (not for security): CRC-32 + length."""
    return f"{zlib.crc32(data):08x}{len(data):x}"


def cache_dir() -> Path:
    """``$KBFIX_CACHE_DIR``, else ``$XDG_CACHE_HOME/kbfix``, else ``~/.cache/kbfix``."""
    env = os.environ.get("KBFIX_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kbfix"


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary sibling and rename, so readers never see half a file."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_json_cache(path: Path, decode: Callable[[dict], T]) -> T | None:
    """What a JSON cache file decodes to, or None when it is missing, unreadable or of another shape."""
    try:
        return decode(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_json_cache(path: Path, data: object) -> bool:
    """Write a cache file atomically and drop stale siblings of the same kind; False when the cache
    cannot be written (a read-only home only costs the work again next time)."""
    try:
        write_atomic(path, json.dumps(data))
        prune(path.parent, path.name.split("-", 1)[0] + "-*.json")
    except OSError:
        return False
    return True


def prune(folder: Path, pattern: str, keep: int = 4) -> None:
    """Remove all but the ``keep`` newest cache files matching ``pattern`` (old corpus versions)."""
    try:
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in found[keep:]:
            stale.unlink()
    except OSError:
        return  # another process pruned first, or the cache is read-only: harmless

"""Where kbfix keeps what it derives at run time (indexes, parsed corpus)."""

from __future__ import annotations

import os
import zlib
from pathlib import Path


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


def prune(folder: Path, pattern: str, keep: int = 4) -> None:
    """Remove all but the ``keep`` newest cache files matching ``pattern`` (old corpus versions)."""
    try:
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in found[keep:]:
            stale.unlink()
    except OSError:
        return  # another process pruned first, or the cache is read-only: harmless

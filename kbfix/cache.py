"""What kbfix derives at run time and keeps on disk: parsed entries, prepared documents, the index.

One key scheme for all of them: ``<cache>/<kind>-<key>`` where ``key = key(kind, version, *inputs)``,
a digest of everything the content was derived from. A cached thing never decides what kbfix shows
on its own:

- the cache folder is created private (0700); a folder or file that another user owns or others can
  write is not used (a note says so, and the work is redone in memory);
- every data file carries a MAC of its payload (keyed BLAKE2b) under a per-user secret kept in the folder
  (0600);
  a file whose digest does not verify (edited, truncated, written by another tool) is ignored and
  rebuilt, never trusted.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import zlib
from enum import Enum
from pathlib import Path
from typing import Callable, TypeVar

try:  # the hash module itself, without hashlib: hashlib and hmac load OpenSSL, which costs a cold run more than
    from _blake2 import blake2b  # signing does
    from _operator import _compare_digest as compare_digest
except ImportError:  # another Python implementation
    from hashlib import blake2b
    from hmac import compare_digest

T = TypeVar("T")
SECRET_NAME = ".key"


def checksum(data: bytes) -> str:
    """A cheap checksum for corruption checks (not for security): CRC-32 + length."""
    return f"{zlib.crc32(data):08x}{len(data):x}"


def key(kind: str, version: int, *inputs: str) -> str:
    """The cache key of a ``kind`` of derived data, from its format version and its inputs."""
    return blake2b("\x00".join((kind, str(version), *inputs)).encode(), digest_size=10).hexdigest()


def cache_dir() -> Path:
    """``$KBFIX_CACHE_DIR``, else ``$XDG_CACHE_HOME/kbfix``, else ``~/.cache/kbfix``."""
    env = os.environ.get("KBFIX_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kbfix"


def path(kind: str, version: int, *inputs: str, suffix: str = ".bin") -> Path:
    return cache_dir() / f"{kind}-{key(kind, version, *inputs)}{suffix}"


def _owned_private(info: os.stat_result) -> bool:
    """Owned by this user and not writable by group or others (always true where uids do not exist)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def trusted(target: Path) -> bool:
    """True when ``target`` is a real file or folder (not a link) of this user that nobody else can write."""
    try:
        info = os.lstat(target)
    except OSError:
        return False
    return not stat.S_ISLNK(info.st_mode) and _owned_private(info)


def ensure_dir() -> Path | None:
    """The cache folder, created 0700; None when it cannot be used safely or at all."""
    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if trusted(folder) else None


def problem() -> str | None:
    """Why the cache is not used, for the engine's status; None when it is fine."""
    folder = cache_dir()
    if ensure_dir() is not None:
        return None
    if folder.exists() and not trusted(folder):
        return (f"cache folder {folder} is shared with other users or writable by them: not used "
                "(make it yours with chmod 700, or set KBFIX_CACHE_DIR)")
    return f"cache folder {folder} cannot be created: results are not cached"


def _secret(folder: Path) -> bytes | None:
    """The per-user key that signs cache files, made on first use (0600)."""
    target = folder / SECRET_NAME
    if not target.exists():
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            fd = None  # another process made it first: its key is read below
        except OSError:
            return None
        if fd is not None:
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(os.urandom(32))  # what secrets.token_bytes reads
            except OSError:
                return None
    if not trusted(target):
        return None
    try:
        data = target.read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


def _sign(secret: bytes, payload: bytes | memoryview) -> str:
    """BLAKE2b in its keyed mode: a MAC by design (no HMAC construction needed)."""
    return blake2b(payload, key=secret, digest_size=32).hexdigest()


def sign_bytes(payload: bytes | memoryview) -> str | None:
    """The digest of ``payload`` under this user's cache secret (for files that are not JSON)."""
    folder = ensure_dir()
    secret = _secret(folder) if folder is not None else None
    return _sign(secret, payload) if secret is not None else None


def verify_bytes(payload: bytes | memoryview, digest: str) -> bool:
    expected = sign_bytes(payload)
    return expected is not None and compare_digest(expected, str(digest))


def write_atomic(target: Path, content: str | bytes) -> None:
    """Write through a private temporary sibling and rename, so readers never see half a file."""
    import tempfile  # only a writer pays for it (as for shutil below): a reader's start stays short

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# marshal: several times faster to read than JSON for the same lists and dicts. It is only ever given
# plain values (``plain``) and only reads back payloads this user's kbfix signed. Its format may
# change with the Python version: the header names both.
DATA_MAGIC = f"kbfix-cache-marshal-b2 {marshal.version} {sys.implementation.cache_tag} ".encode("ascii")


def plain(value: object) -> object:
    """``value`` as dicts, lists, tuples, strings, bytes, numbers, booleans and None (an enum becomes its
    value); TypeError for anything else."""
    if value is None or type(value) in (str, int, float, bool, bytes):
        return value
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [plain(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    for base in (str, float, int):  # a subclass of a plain type: the plain type
        if isinstance(value, base):
            return base(value)
    raise TypeError(f"a cache holds plain values, not {type(value).__name__}")


def load_data(target: Path, decode: Callable[[dict], T]) -> T | None:
    """What a signed data cache file decodes to; None when it is missing, unreadable, not this user's,
    writable by others, unsigned, signed under another key, written by another Python, or of another
    shape.

    The file is one header line (a magic, naming the format and the Python, and the digest of the
    rest) and the marshalled payload: the payload's bytes are verified before they are read, so only
    what this user's kbfix wrote is ever unmarshalled."""
    folder = ensure_dir()
    if folder is None or not trusted(target):
        return None
    try:
        raw = target.read_bytes()
        end = raw.find(b"\n")
        if end < 0 or not raw.startswith(DATA_MAGIC):
            return None
        payload = memoryview(raw)[end + 1:]  # a view: megabytes are not copied before they are read
        if not verify_bytes(payload, raw[len(DATA_MAGIC):end].decode("ascii")):
            return None
        return decode(marshal.loads(payload))
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError):
        return None


def store_data(target: Path, data: object, *, keep: int = 4) -> bool:
    """Write a signed cache file of plain values atomically and drop stale siblings of the same kind
    (all but the ``keep`` newest); False when the cache cannot be written (a read-only home only costs
    the work again next time)."""
    if ensure_dir() is None:
        return False
    try:
        payload = marshal.dumps(plain(data))
    except TypeError:  # not plain data: a defect in the caller, which then only redoes the work
        return False
    digest = sign_bytes(payload)
    if digest is None:
        return False
    try:
        write_atomic(target, DATA_MAGIC + digest.encode("ascii") + b"\n" + payload)
        prune(target.parent, target.name.split("-", 1)[0] + "-*" + target.suffix, keep, spare=target)
    except OSError:
        return False
    return True


def prune(folder: Path, pattern: str, keep: int = 4, spare: Path | None = None) -> None:
    """Remove all but the ``keep`` newest cache files (or index folders) matching ``pattern``: old
    corpus versions and encoders. ``spare`` (the one just written) always stays, whatever the
    file system's clock resolution. Never follows a link out of the cache."""
    try:
        found = sorted(folder.glob(pattern), key=lambda p: (p == spare, p.lstat().st_mtime), reverse=True)
        for stale in found[keep:]:
            if stale.is_dir() and not stale.is_symlink():
                import shutil

                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink()
    except OSError:
        return  # another process pruned first, or the cache is read-only: harmless

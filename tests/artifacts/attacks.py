"""Crafted artifacts, each small on disk and built in well under a second, that attack a reader.

Nothing here is mocked: the files are what an attacker (or a broken tool) would hand kbfix.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

CHUNK = 16 << 20


def zip_bomb(path: Path, declared: int = 3 << 30) -> Path:
    """A torch-style zip (``archive/data.pkl``) whose pickle inflates to ``declared`` bytes of zeros.

    The deflate stream is one full-flushed block of 16 MB of zeros repeated (a full flush resets the
    dictionary, so the copies decode one after another): ~3 MB on disk for 3 GB, built in 0.1 s.
    """
    assert declared % CHUNK == 0 and declared < 1 << 32
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * CHUNK) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * (declared // CHUNK) + compressor.flush()
    entries = [("archive/data.pkl", data, declared, 8), ("archive/version", b"3\n", 2, 0)]
    out, central = bytearray(), bytearray()
    for name, payload, size, method in entries:
        crc = zlib.crc32(payload) if method == 0 else 0  # the bomb's CRC is never reached
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(payload), size, len(encoded), 0)
        out += encoded + payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(payload), size,
                               len(encoded), 0, 0, 0, 0, 0, offset)
        central += encoded
    start = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0)
    path.write_bytes(out)
    return path


def billion_laughs(path: Path, levels: int = 9) -> Path:
    """A ~1 KB YAML whose aliases expand to 9**9 values (mappings, so anything that walks it hangs)."""
    lines = ["l0: &a0 {" + ", ".join(f"k{j}: lol" for j in range(9)) + "}"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(9)) + "}")
    lines += ["stage: sft", "finetuning_type: lora", "lora_target: q_proj", "model_name_or_path: Qwen/Qwen2-0.5B",
              f"model_init_kwargs: *a{levels}"]
    path.write_text("\n".join(lines) + "\n")
    return path


BAD_JSON = {
    "invalid": b'{"model_type": "qwen2", ',
    "not-utf8": b'{"model_type": "qwen2\xff\xfe"}',
    "deeply-nested": b'{"model_type": "qwen2", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "huge-integer": b'{"model_type": "qwen2", "vocab_size": ' + b"9" * 5000 + b"}",
}

BAD_YAML = {
    "syntax-error": "stage: sft\nfinetuning_type: [lora\n",
    "python-tag": "stage: sft\nfinetuning_type: !!python/object/apply:os.system ['echo pwned']\n",
    "deeply-nested": "stage: sft\nx: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "recursive-alias": "stage: sft\nfinetuning_type: lora\nx: &a [1, *a]\n",
    "unknown-alias": "stage: sft\nfinetuning_type: *nowhere\n",
}


def safetensors_with_header(path: Path, header: object) -> Path:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw)
    return path


def secret(folder: Path) -> Path:
    """A file outside every artifact, standing in for /etc/shadow; its first 8 bytes are a number."""
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "shadow"
    file.write_bytes(b"root:$6$SECRETSALT$hash:19000:0:99999:7:::\n")
    os.chmod(file, 0o600)
    return file

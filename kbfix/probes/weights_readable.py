"""Weight files that cannot be read: git-lfs pointers, broken safetensors headers, truncated files.

A git-lfs pointer (a ~130-byte text file starting ``version https://git-lfs``) is what a clone
without ``git lfs pull`` leaves; safetensors reads its first 8 bytes as a huge header length
(``HeaderTooLarge``). A file shorter than its header declares is an interrupted download or save.
"""

from __future__ import annotations

from pathlib import Path

from kbfix.model import Finding, Text

from kbfix.artifacts import read
from kbfix.artifacts.target import ADAPTER, CHECKPOINT, MODEL, Target

CORRUPT = "safetensors-corrupt-or-lfs-pointer"
INCOMPLETE = "checkpoint-missing-keys-incomplete"
ENTRIES = (CORRUPT, INCOMPLETE)  # the corpus entries this probe's findings may support or refute
_ZIP_END = b"PK\x05\x06"  # end-of-central-directory record: the last thing torch.save writes


def applies(target: Target) -> bool:
    return target.kind in (MODEL, CHECKPOINT, ADAPTER)


def files(target: Target) -> list[Path]:
    if target.kind == CHECKPOINT:
        return [target.path]
    return read.full_weight_files(target.path) + read.adapter_weight_files(target.path)


def run(target: Target) -> list[Finding]:
    checked = files(target)
    findings = [f for f in (_check(p) for p in checked) if f is not None]
    if not findings:
        findings.append(Finding(
            "weights-readable", target.subject,
            Text(f"{len(checked)} weight file(s) are real files (no git-lfs pointers), complete as far as their "
            "headers tell", f"检查了 {len(checked)} 个权重文件：都是真实文件（不是 git-lfs 指针），从 header 看是完整的"),
            {"files": [p.name for p in checked]}, refutes=(CORRUPT,)))
    return findings


def _check(path: Path) -> Finding | None:
    pointer = read.lfs_pointer(path)
    if pointer is not None:
        return Finding(
            "lfs-pointer-file", str(path),
            Text(f"{path.name} is a git-lfs pointer ({path.stat().st_size} bytes of text), not the weights "
            f"({pointer.get('size', '?')} bytes): run `git lfs pull` or download the file again", f"{path.name} 是 git-lfs 指针文件（{path.stat().st_size} 字节的文本），不是权重本身"
                       f"（{pointer.get('size', '?')} 字节）：请运行 `git lfs pull` 或重新下载该文件"),
            {"file": path.name, "pointer_size": path.stat().st_size, "declared_size": _int(pointer.get("size"))},
            supports=(CORRUPT,))
    if path.suffix == ".safetensors":
        return _safetensors(path)
    return _torch_zip(path)


def _safetensors(path: Path) -> Finding | None:
    try:
        header = read.safetensors_header(path)
    except read.HeaderError as exc:
        return Finding("safetensors-header-unreadable", str(path),
                       Text(f"{path.name}: safetensors cannot read its header ({exc.reason})", f"{path.name}：safetensors 无法读取它的 header（{exc.zh}）"),
                       {"file": path.name, "size": path.stat().st_size, "reason": exc.reason}, supports=(CORRUPT,))
    if header.truncated:
        return Finding(
            "weights-file-truncated", str(path),
            Text(f"{path.name} is {header.file_size} bytes but its header declares {header.expected_size}: "
            "the download or save was interrupted", f"{path.name} 只有 {header.file_size} 字节，但 header 声明了 {header.expected_size} 字节："
                       "下载或保存被中断"),
            {"file": path.name, "size": header.file_size, "expected_size": header.expected_size},
            supports=(INCOMPLETE, CORRUPT))
    if header.file_size > header.expected_size:
        return Finding(
            "weights-file-oversized", str(path),
            Text(f"{path.name} has {header.file_size - header.expected_size} bytes after the last tensor; "
            "safetensors refuses it (MetadataIncompleteBuffer)", f"{path.name} 在最后一个张量之后还有 {header.file_size - header.expected_size} 字节多余数据；"
                       "safetensors 拒绝读取（MetadataIncompleteBuffer）"),
            {"file": path.name, "size": header.file_size, "expected_size": header.expected_size},
            supports=(CORRUPT,))
    return None


def _torch_zip(path: Path) -> Finding | None:
    """A torch.save zip file must end with the zip directory; a cut-off file does not. A file whose
    directory declares more than the file holds (a zip bomb) is refused before torch reads it."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        is_zip = f.read(2) == b"PK"
        f.seek(max(0, size - 65_558))
        tail = f.read()
    if not is_zip or _ZIP_END in tail:
        try:
            read.check_archive(path)
        except read.ArchiveError as refused:
            return refused.finding()
        return None
    return Finding("weights-file-truncated", str(path),
                   Text(f"{path.name} is a torch zip archive without its closing directory: the file is cut off",
                        f"{path.name} 是 torch zip 归档，但缺少末尾的中央目录（central directory）：文件被截断了"),
                   {"file": path.name, "size": size}, supports=(INCOMPLETE, CORRUPT))


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None

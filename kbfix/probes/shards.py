"""A sharded checkpoint whose index lists shards that are absent or lack the tensors it maps to them.

``model.safetensors.index.json`` maps every tensor to a shard file. A shard that is not there, or a
shard whose header lacks tensors the index puts in it, is an interrupted save or partial download.
(Truncated and pointer shards are :mod:`~kbfix.probes.weights_readable`'s findings.)
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import read
from kbfix.artifacts.target import MODEL, Target

INCOMPLETE = "checkpoint-missing-keys-incomplete"
ENTRIES = (INCOMPLETE,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind == MODEL and read.index_file(target.path) is not None


def run(target: Target) -> list[Finding]:
    index = read.index_file(target.path)
    weight_map = read.weight_map(index)
    listed: dict[str, list[str]] = {}
    for key, shard in weight_map.items():
        listed.setdefault(shard, []).append(key)
    paths = {shard: read.member(target.path, shard) for shard in listed}  # none may lead out of the folder
    absent = sorted(s for s in listed if not paths[s].is_file())
    short: dict[str, int] = {}
    unreadable = []  # pointers, broken headers, truncated files: weights_readable reports them
    for shard in sorted(set(listed) - set(absent)):
        path = paths[shard]
        if read.lfs_pointer(path) is not None:
            unreadable.append(shard)
            continue
        if not shard.endswith(".safetensors"):
            continue  # .bin shards: presence only (reading their keys means opening every shard)
        try:
            header = read.safetensors_header(path)
        except read.HeaderError:
            unreadable.append(shard)
            continue
        if header.truncated:
            unreadable.append(shard)
        lacking = [k for k in listed[shard] if k not in header.shapes]
        if lacking:
            short[shard] = len(lacking)
    facts = {"index": index.name, "shards": len(listed), "tensors": len(weight_map)}
    findings = []
    if absent:
        lost = sum(len(listed[s]) for s in absent)
        findings.append(Finding(
            "shards-absent", target.subject,
            Text(f"{len(absent)} of {len(listed)} shards listed in {index.name} are not in the folder "
            f"({lost} tensors): an interrupted save or partial download", f"{index.name} 列出的 {len(listed)} 个分片中有 {len(absent)} 个不在文件夹里"
                       f"（共 {lost} 个张量）：保存中断或下载不完整"),
            {**facts, "absent": absent, "tensors_absent": lost}, supports=(INCOMPLETE,)))
    if short:
        findings.append(Finding(
            "shards-lack-tensors", target.subject,
            Text(f"{len(short)} shards lack tensors that {index.name} maps to them",
                 f"{len(short)} 个分片缺少 {index.name} 映射到其中的张量"),
            {**facts, "lacking": short}, supports=(INCOMPLETE,)))
    if not findings and not unreadable:
        findings.append(Finding(
            "shards-complete", target.subject,
            Text(f"all {len(listed)} shards listed in {index.name} are present with every tensor it maps to them",
                 f"{index.name} 列出的全部 {len(listed)} 个分片都在，且包含映射到其中的每个张量"),
            facts, refutes=(INCOMPLETE,)))
    return findings

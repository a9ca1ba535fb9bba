"""Checkpoint vs config: the tensors a model built from the config expects against those saved.

The model is built on the meta device from the config (the folder's own config.json, or the config
given beside a state-dict file); the checkpoint's names and shapes come from headers. When that config
was built before (kbfix's cache) and the checkpoint matches it outright, torch is not imported at all. The
differences are classified by :mod:`~kbfix.artifacts.compare`. Shards that are absent or unreadable
count by the names the index gives them: their loss is the shards and weights_readable probes' to
report, not a key mismatch.
"""

from __future__ import annotations

from dataclasses import replace

from kbfix.model import Finding, Text

from kbfix.artifacts import compare, expect, read
from kbfix.artifacts.refuse import error_line
from . import cnclip, weights_readable
from kbfix.artifacts.target import CHECKPOINT, MODEL, Target

ENTRIES = compare.KEY_LEVEL + (compare.INCOMPLETE,)  # the corpus entries this probe's findings may support or refute

Shapes = dict[str, "tuple[int, ...] | None"]


def applies(target: Target) -> bool:
    if target.kind not in (MODEL, CHECKPOINT):
        return False
    config = target.config
    return config is not None and "model_type" in config and not cnclip.applies(target)


def run(target: Target) -> list[Finding]:
    found, facts = shapes(target)
    readable = any(shape is not None for shape in found.values())
    from_pretrained = target.kind == MODEL
    findings = _matches_known(target, found, from_pretrained) if readable else None
    if findings is None:
        try:
            expected = expect.expected(target.config)
        except (ValueError, KeyError) as exc:  # transformers refuses the config
            return [Finding("expected-shapes-unavailable", target.subject,
                            Text("the model could not be built from its config here; keys not compared", "无法在这里根据 config 构建模型，未比较权重键"),
                            {"model_type": target.config.get("model_type")}, error=error_line(exc))]
        if not readable:
            return []  # nothing readable: weights_readable says why
        findings = compare.compare(expected, found, target.subject, from_pretrained=from_pretrained)
    files_ok = not facts.get("unread") and not any(f.supports for f in weights_readable.run(target))
    out = []
    for f in findings:
        refutes = f.refutes + (compare.INCOMPLETE,) if f.refutes and files_ok else f.refutes
        out.append(replace(f, facts={**facts, **f.facts}, refutes=refutes))
    return out


def _matches_known(target: Target, found: Shapes, from_pretrained: bool) -> list[Finding] | None:
    """The all-clear from the cached description of the config's model, when the checkpoint matches it
    outright; None when that takes building the model (not cached, or something differs)."""
    known = expect.known(target.config)
    if known is None or any(shape is None for shape in found.values()):
        return None
    findings = compare.compare(known, found, target.subject, from_pretrained=from_pretrained)
    return findings if [f.kind for f in findings] == ["checkpoint-matches-config"] else None


def shapes(target: Target) -> tuple[Shapes, dict[str, object]]:
    """Names and shapes of a model folder's or checkpoint file's weights; None: shape not readable."""
    if target.kind == CHECKPOINT:
        if read.lfs_pointer(target.path) is not None:
            return {}, {}
        loaded = read.state_dict(target.path)
        return dict(loaded.shapes), {"nested_under": loaded.nested_under} if loaded.nested_under else {}
    index = read.index_file(target.path)
    if index is not None:
        listed: dict[str, list[str]] = {}
        for key, shard in read.weight_map(index).items():
            listed.setdefault(shard, []).append(key)
        files = [read.member(target.path, shard) for shard in sorted(listed)]
    else:
        files = read.full_weight_files(target.path)
        safetensors = [p for p in files if p.suffix == ".safetensors"]
        files = safetensors or files
        listed = {}
    found: Shapes = {}
    unread = []
    for path in files:
        loaded = _readable(path)
        if loaded is None:
            unread.append(path.name)
            found.update(dict.fromkeys(listed.get(path.name, ()), None))
        else:
            found.update(loaded)
    return found, {"files": [p.name for p in files if p.name not in unread], "unread": unread}


def _readable(path) -> dict[str, tuple[int, ...]] | None:
    if not path.is_file() or read.lfs_pointer(path) is not None:
        return None
    try:
        return read.state_dict(path).shapes
    except read.Unreadable:  # weights_readable (or the refusal itself) says why
        return None

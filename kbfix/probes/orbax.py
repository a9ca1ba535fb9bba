"""A Flax/Orbax checkpoint folder: its parameter tree, read from the ``_METADATA`` JSON (no arrays).

Only when JAX is installed (the checkpoint is for a JAX program). The top-level names of the tree
(``SigLiPFromPatches_0``, ``transformer``...) are what "Dict key mismatch" errors compare with the
model's own tree.
"""

from __future__ import annotations

import ast
import importlib.util

from kbfix.model import Finding, Text

from kbfix.artifacts import read
from kbfix.artifacts.target import ORBAX, Target

ENTRIES = ()  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind == ORBAX and importlib.util.find_spec("jax") is not None


def run(target: Target) -> list[Finding]:
    metadata = read.member(target.path, "_METADATA")
    if not metadata.is_file():
        return [Finding("orbax-tree-unread", target.subject,
                        Text("no _METADATA file: the parameter tree cannot be read without loading arrays",
                             "没有 _METADATA 文件：不加载数组就无法读取参数树"),
                        {"files": sorted(p.name for p in target.path.iterdir())[:20]})]
    data = read.json_file(metadata)
    tree = data.get("tree_metadata", {}) if isinstance(data, dict) else {}
    paths = [_path(key) for key in tree]
    top: dict[str, set[str]] = {}
    for path in paths:
        if path:
            top.setdefault(path[0], set()).add(path[1] if len(path) > 1 else "")
    facts = {"arrays": len(paths), "tree": {k: sorted(v - {""})[:20] for k, v in top.items()}}
    return [Finding("orbax-tree", target.subject,
                    Text(f"Orbax checkpoint with {len(paths)} arrays under {', '.join(sorted(top)) or 'no keys'}",
                         f"Orbax checkpoint，共 {len(paths)} 个数组，顶层键为 "
                               f"{', '.join(sorted(top)) or '（无）'}"), facts)]


def _path(key: str) -> tuple[str, ...]:
    """Orbax writes tree paths as the repr of a tuple of keys: "('params', 'encoder', 'kernel')"."""
    try:
        value = ast.literal_eval(key)
    except (ValueError, SyntaxError):
        return tuple(key.split("."))
    return tuple(str(v) for v in value) if isinstance(value, tuple) else (str(value),)

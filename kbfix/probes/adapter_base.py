"""An adapter loaded onto another base than it was trained on.

Compares ``base_model_name_or_path`` with the base folder given beside the adapter, and the saved
LoRA shapes with the base's layers: ``lora_A`` is ``[r, in_features]``, ``lora_B`` is
``[out_features, r]`` of the module it adapts. Shapes that disagree mean another model size
("size mismatch for base_model.model...lora_A.weight").
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import adapter, expect
from kbfix.artifacts.target import ADAPTER, Target

ARCHITECTURE = "checkpoint-size-mismatch-wrong-architecture"
ENTRIES = (ARCHITECTURE,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind == ADAPTER and (target.path / "adapter_config.json").is_file()


def run(target: Target) -> list[Finding]:
    found = adapter.load(target.path)
    base, where = adapter.base_config(target, found)
    if base is None or "model_type" not in base:
        return []
    expected = expect.expected(base)
    wrong, absent = {}, []
    for key, shape in found.weights.items():
        module, part = _split(key)
        weight = expected.shapes.get(module + ".weight")
        if weight is None:
            if part.startswith("lora_"):
                absent.append(module)
            continue
        want = _lora_shape(part, weight, shape)
        if want is not None and want != shape:
            wrong[key] = {"adapter": list(shape), "base_layer": list(weight)}
    named = found.config.get("base_model_name_or_path") or ""
    facts = {"base_model_name_or_path": named, "base": where, "base_model_type": base.get("model_type"),
             "shape_mismatches": len(wrong), "examples": dict(list(wrong.items())[:5]),
             "modules_absent_in_base": sorted(set(absent))[:10]}
    findings = []
    if wrong:
        findings.append(Finding(
            "adapter-for-other-base", target.subject,
            Text(f"{len(wrong)} adapter tensors do not fit the base's layers ({where}): the adapter was trained on "
            f"another model size than this base (adapter says '{named}')", f"{len(wrong)} 个 adapter 张量与基座模型的层形状不符（{where}）：该 adapter 是在另一尺寸的模型上"
                       f"训练的（adapter 记录的基座是 '{named}'）"), facts, supports=(ARCHITECTURE,)))
    elif target.base is not None and named and not _same_name(named, target.base.name, base):
        findings.append(Finding(
            "adapter-base-name-differs", target.subject,
            Text(f"the adapter names '{named}' as its base but is given {target.base}; the shapes fit, so it may be "
            "a copy of the same model", f"adapter 记录的基座是 '{named}'，但传入的是 {target.base}；形状都吻合，可能是同一模型的副本"), facts))
    else:
        findings.append(Finding("adapter-fits-base", target.subject,
                                Text(f"every adapter tensor fits the base's layers ({where})",
                                     f"每个 adapter 张量都与基座模型的层形状吻合（{where}）"), facts,
                                refutes=(ARCHITECTURE,)))
    return findings


def _split(key: str) -> tuple[str, str]:
    bare = key.removeprefix("base_model.model.")
    for part in ("lora_A", "lora_B", "lora_embedding_A", "lora_embedding_B", "base_layer", "lora_magnitude_vector",
                 "modules_to_save"):
        marker = "." + part
        if marker in bare:
            module, _, rest = bare.partition(marker)
            return module, part + rest
    return bare.rsplit(".", 1)[0], bare.rsplit(".", 1)[-1]


def _lora_shape(part: str, weight: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape ``part`` must have on a base layer whose weight is ``weight``; the rank from ``shape``."""
    if len(weight) != 2 or len(shape) != 2:
        return None
    out_features, in_features = weight
    if part.startswith("lora_A."):
        return (shape[0], in_features)
    if part.startswith("lora_B."):
        return (out_features, shape[1])
    if part == "lora_embedding_A":  # embeddings: weight is [num_embeddings, embedding_dim]
        return (shape[0], weight[0])
    if part == "lora_embedding_B":
        return (weight[1], shape[1])
    if part.startswith("base_layer."):
        return weight
    return None


def _same_name(named: str, folder: str, base: dict) -> bool:
    wanted = named.rstrip("/").rsplit("/", 1)[-1].lower()
    given = {folder.lower(), str(base.get("_name_or_path", "")).rstrip("/").rsplit("/", 1)[-1].lower()}
    return wanted in given

"""LoRA target modules that do not exist in the base architecture.

PEFT matches each ``target_modules`` entry against module paths (equal, or ending in ``.entry``; a
string is a regex that must match the whole path) and raises "Target modules {...} not found in the
base model" when none match. Names differ per architecture: Qwen1 ``c_attn``, ChatGLM
``query_key_value``, Llama/Qwen2 ``q_proj``..., CLIP ``q_proj``/``fc1``.
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import adapter, expect, patterns, read, training
from kbfix.artifacts.target import ADAPTER, LLAMAFACTORY, Target, model_config

NOT_FOUND = "peft-target-modules-not-found"
ENTRIES = (NOT_FOUND,)  # the corpus entries this probe's findings may support or refute
_ALL = ("all-linear", "all")


def applies(target: Target) -> bool:
    if target.kind == ADAPTER:
        return (target.path / "adapter_config.json").is_file()
    return target.kind == LLAMAFACTORY


def run(target: Target) -> list[Finding]:
    targets, base, where = _wanted(target)
    if targets is None:
        return []
    if base is None:
        return [Finding("target-modules-unchecked", target.subject,
                        Text("the base model's config is not available here, so target modules were not checked",
                             "此处拿不到基座模型的 config，未检查 target modules"),
                        {"target_modules": targets})]
    expected = expect.expected(base)
    matched = {t: _matches(t, expected.modules) for t in ([targets] if isinstance(targets, str) else targets)}
    absent = sorted(t for t, hits in matched.items() if not hits)
    facts = {"target_modules": targets, "absent": absent, "base": where, "model_type": expected.model_type,
             "linear_layers_of_base": sorted({n.rsplit(".", 1)[-1] for n in expected.linear})}
    if absent and len(absent) == len(matched):
        return [Finding(
            "target-modules-absent", target.subject,
            Text(f"none of the target modules {absent} exists in the {expected.class_name}; its linear layers are "
            f"named {', '.join(facts['linear_layers_of_base'])}", f"target modules {absent} 在 {expected.class_name} 中一个都不存在；它的线性层名为 "
                       f"{', '.join(facts['linear_layers_of_base'])}"), facts, supports=(NOT_FOUND,))]
    if absent:
        return [Finding("target-modules-partly-absent", target.subject,
                        Text(f"target modules {absent} do not exist in the {expected.class_name}; the others do",
                             f"target modules {absent} 在 {expected.class_name} 中不存在，其余的都存在"), facts)]
    return [Finding("target-modules-present", target.subject,
                    Text(f"every target module exists in the {expected.class_name}",
                         f"所有 target modules 在 {expected.class_name} 中都存在"), facts, refutes=(NOT_FOUND,))]


def _wanted(target: Target) -> tuple[list[str] | str | None, dict | None, str]:
    """(target modules, base config, where the base came from); target modules None: nothing to check."""
    if target.kind == ADAPTER:
        found = adapter.load(target.path)
        modules = found.target_modules
        if not modules or modules in _ALL:
            return None, None, ""
        base, where = adapter.base_config(target, found)
        return modules, base, where
    values = training.settings(target)
    raw = values.get("lora_target")
    if values.get("finetuning_type") != "lora" or not raw or str(raw).strip() in _ALL:
        return None, None, ""
    modules = [m.strip() for m in str(raw).split(",") if m.strip()]
    name = training.model_name(values)
    folder = read.resolve_model(name, target.path.parent) if name else None
    base = model_config(folder) if folder else target.config
    return modules, base, str(folder or target.base or "")


def _matches(wanted: str, modules: tuple[str, ...]) -> list[str]:
    if patterns.is_regex(wanted):  # a regex, full-matched by PEFT; matched here in linear time
        return patterns.fullmatches(wanted, modules)
    return [m for m in modules if m == wanted or m.endswith("." + wanted)]

"""Gradient checkpointing on a live model whose input embeddings give no gradient.

When the embeddings are frozen (LoRA, a frozen base) and the checkpoint is reentrant, the inputs of
each checkpointed block must be made to require grad: ``model.enable_input_require_grads()`` (a
forward hook on the embeddings) or ``gradient_checkpointing_kwargs={"use_reentrant": False}``.
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import live
from kbfix.artifacts.target import MODULE, TRAINER, Target

INPUT_GRADS = "input-no-grad-gradient-checkpointing"
ENTRIES = (INPUT_GRADS,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind in (MODULE, TRAINER) and live.model_of(target) is not None


def run(target: Target) -> list[Finding]:
    model = live.model_of(target)
    modules = list(model.modules())
    if not any(getattr(m, "gradient_checkpointing", False) is True for m in modules):
        return []
    inputs, _ = live.embeddings(model)
    if inputs is None:
        return []
    weight = live.weight(inputs)
    reentrant = _reentrant(modules)
    hooked = bool(getattr(inputs, "_forward_hooks", None))
    facts = {"gradient_checkpointing": True, "embeddings_require_grad": bool(weight is not None and weight.requires_grad),
             "input_hook": hooked, "use_reentrant": reentrant}
    if facts["embeddings_require_grad"] or hooked or reentrant is False:
        return [Finding("checkpointing-inputs-ok", target.subject,
                        Text("gradient checkpointing is on and gradients reach the checkpointed blocks",
                             "gradient checkpointing 已开启，梯度能传到被 checkpoint 的模块"), facts,
                        refutes=(INPUT_GRADS,))]
    return [Finding("checkpointing-without-input-grads", target.subject,
                    Text("gradient checkpointing (reentrant) with frozen input embeddings and no input hook: call "
                    "model.enable_input_require_grads() or use gradient_checkpointing_kwargs="
                    "{'use_reentrant': False}", "gradient checkpointing（reentrant）下输入 embedding 被冻结，且没有输入 hook：请调用 "
                               "model.enable_input_require_grads()，或设置 gradient_checkpointing_kwargs="
                               "{'use_reentrant': False}"), facts, supports=(INPUT_GRADS,))]


def _reentrant(modules) -> bool | None:
    """``use_reentrant`` of the checkpoint function transformers installed (None: torch's default)."""
    for module in modules:
        func = getattr(module, "_gradient_checkpointing_func", None)
        keywords = getattr(func, "keywords", None)
        if isinstance(keywords, dict):
            return keywords.get("use_reentrant", True)
    return None

"""Gradient checkpointing over a frozen base with reentrant checkpoints and no input gradients.

With a frozen embedding layer the inputs of each checkpointed block do not require grad; the
reentrant ``torch.utils.checkpoint`` then returns outputs without a grad_fn ("element 0 of tensors
does not require grad and does not have a grad_fn"). ``use_reentrant: false`` or
``model.enable_input_require_grads()`` fixes it. The live-object probe sees the hook itself; from a
config, only an explicit ``use_reentrant: true`` over an adapter is certain.
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import training
from kbfix.artifacts.target import TRAINING_ARGS, Target

INPUT_GRADS = "input-no-grad-gradient-checkpointing"
ENTRIES = (INPUT_GRADS,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind == TRAINING_ARGS


def run(target: Target) -> list[Finding]:
    values = training.settings(target)
    if not training.flag(values, "gradient_checkpointing"):
        return []
    kwargs = values.get("gradient_checkpointing_kwargs") or {}
    reentrant = kwargs.get("use_reentrant") if isinstance(kwargs, dict) else None
    facts = {"gradient_checkpointing": True, "use_reentrant": reentrant, "adapter": training.uses_adapter(values)}
    if reentrant is False:
        return [Finding("non-reentrant-checkpointing", target.subject,
                        Text("gradient checkpointing with use_reentrant=false: frozen inputs are fine",
                             "gradient checkpointing 使用 use_reentrant=false：输入被冻结也没有问题"), facts,
                        refutes=(INPUT_GRADS,))]
    if reentrant is True and facts["adapter"]:
        return [Finding("reentrant-checkpointing-over-frozen-base", target.subject,
                        Text("gradient checkpointing with use_reentrant=true over a frozen base (LoRA): unless the "
                        "model calls enable_input_require_grads(), the loss has no grad_fn", "gradient checkpointing 使用 use_reentrant=true，且基座被冻结（LoRA）："
                                   "除非模型调用了 enable_input_require_grads()，否则 loss 没有 grad_fn"), facts,
                        supports=(INPUT_GRADS,))]
    return [Finding("gradient-checkpointing-on", target.subject,
                    Text("gradient checkpointing is on; whether the inputs require grad shows on the live model "
                    "(kbfix.inspect(model))", "gradient checkpointing 已开启；输入是否 requires_grad 要在实际的模型对象上查看"
                               "（kbfix.inspect(model)）"), facts)]

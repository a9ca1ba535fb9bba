"""A LLaMA-Factory config that leaves nothing trainable.

LLaMA-Factory freezes the vision tower and the projector by default; ``freeze_language_model: true``
on top freezes the rest, so full fine-tuning gets no trainable parameters (DeepSpeed ZeRO then fails
with ``IndexError: list index out of range``, torch with "optimizer got an empty parameter list").
``finetuning_type: freeze`` with ``freeze_trainable_layers: 0`` selects no layer either.
"""

from __future__ import annotations

from kbfix.model import Finding

from . import training
from .target import LLAMAFACTORY, Target

NOTHING = "no-trainable-parameters"
_FLAGS = ("freeze_vision_tower", "freeze_multi_modal_projector", "freeze_language_model")


def applies(target: Target) -> bool:
    return target.kind == LLAMAFACTORY


def run(target: Target) -> list[Finding]:
    values = training.settings(target)
    method = str(values.get("finetuning_type")).lower()
    flags = {k: training.flag(values, k) for k in _FLAGS}
    facts = {"finetuning_type": method, **flags, "freeze_trainable_layers": values.get("freeze_trainable_layers")}
    if method in ("full", "freeze") and all(flags.values()):
        return [Finding(
            "everything-frozen", target.subject,
            "freeze_vision_tower, freeze_multi_modal_projector and freeze_language_model are all true "
            f"(finetuning_type: {method}): no parameter is left to train", facts, supports=(NOTHING,))]
    if method == "freeze" and values.get("freeze_trainable_layers") == 0:
        return [Finding("no-layer-selected", target.subject,
                        "finetuning_type: freeze with freeze_trainable_layers: 0 selects no layer to train",
                        facts, supports=(NOTHING,))]
    trainable = "adapter weights" if method in ("lora", "oft") else "the language model" if not flags[
        "freeze_language_model"] else "the unfrozen towers"
    return [Finding("something-trainable", target.subject, f"the config leaves {trainable} trainable", facts,
                    refutes=(NOTHING,))]

"""A LLaMA-Factory config that leaves nothing trainable.

LLaMA-Factory freezes the vision tower and the projector by default; ``freeze_language_model: true``
on top freezes the rest, so full fine-tuning gets no trainable parameters (DeepSpeed ZeRO then fails
with ``IndexError: list index out of range``, torch with "optimizer got an empty parameter list").
``finetuning_type: freeze`` with ``freeze_trainable_layers: 0`` selects no layer either.
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import training
from kbfix.artifacts.target import LLAMAFACTORY, Target

NOTHING = "no-trainable-parameters"
ENTRIES = (NOTHING,)  # the corpus entries this probe's findings may support or refute
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
            Text("freeze_vision_tower, freeze_multi_modal_projector and freeze_language_model are all true "
            f"(finetuning_type: {method}): no parameter is left to train", "freeze_vision_tower、freeze_multi_modal_projector 和 freeze_language_model 都为 true"
                       f"（finetuning_type: {method}）：没有剩下任何可训练的参数"), facts, supports=(NOTHING,))]
    if method == "freeze" and values.get("freeze_trainable_layers") == 0:
        return [Finding("no-layer-selected", target.subject,
                        Text("finetuning_type: freeze with freeze_trainable_layers: 0 selects no layer to train",
                             "finetuning_type: freeze 配合 freeze_trainable_layers: 0，没有选中任何要训练的层"),
                        facts, supports=(NOTHING,))]
    part = "adapter" if method in ("lora", "oft") else "language" if not flags["freeze_language_model"] else "towers"
    trainable = {"adapter": "adapter weights", "language": "the language model", "towers": "the unfrozen towers"}[part]
    trainable_zh = {"adapter": "adapter 权重", "language": "语言模型",
                    "towers": "未冻结的塔（vision tower / projector）"}[part]
    return [Finding("something-trainable", target.subject, Text(f"the config leaves {trainable} trainable",
                                                                f"该配置下可训练的部分：{trainable_zh}"), facts,
                    refutes=(NOTHING,))]

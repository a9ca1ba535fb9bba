"""Tied embeddings on a live model (same storage), and LoRA layers placed on a tied head."""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import adapter, live
from kbfix.artifacts.target import MODULE, TRAINER, Target

TIED_HEAD = "peft-lora-on-tied-lm-head"
ENTRIES = (TIED_HEAD,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind in (MODULE, TRAINER) and live.model_of(target) is not None


def run(target: Target) -> list[Finding]:
    model = live.model_of(target)
    inputs, outputs = live.embeddings(model)
    if inputs is None or outputs is None:
        return []
    tied = live.same_storage(live.weight(inputs), live.weight(outputs))
    config = getattr(live.base_of(model), "config", None)
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    declared = getattr(text_config, "tie_word_embeddings", None)
    adapted = sorted({name for name, module in model.named_modules()
                      if adapter.touches(name) and (hasattr(module, "lora_A") or hasattr(module, "modules_to_save"))})
    facts = {"tied_storage": tied, "tie_word_embeddings": declared, "adapted_embeddings": adapted}
    if adapted and (tied or declared):
        return [Finding("lora-on-tied-embeddings", target.subject,
                        Text(f"LoRA/modules_to_save wraps {', '.join(adapted)} while input and output embeddings are "
                        f"tied ({'same storage' if tied else 'tie_word_embeddings=True'})", f"LoRA/modules_to_save 包装了 {', '.join(adapted)}，而输入和输出 embedding 是绑定的"
                                   f"（{'共享同一块存储' if tied else 'tie_word_embeddings=True'}）"), facts,
                        supports=(TIED_HEAD,))]
    return [Finding("embeddings", target.subject,
                    Text(f"input and output embeddings {'share storage' if tied else 'are separate'}"
                    + (f"; adapted: {', '.join(adapted)}" if adapted else "; no adapter on them"), f"输入和输出 embedding {'共享存储' if tied else '相互独立'}"
                               + (f"；被 adapter 包装的：{', '.join(adapted)}" if adapted else "；上面没有 adapter")),
                    facts, refutes=(TIED_HEAD,))]

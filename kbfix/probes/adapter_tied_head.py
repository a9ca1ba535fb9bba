"""LoRA (or a saved copy) on lm_head / embed_tokens of a base that ties them (Gemma and others).

With ``tie_word_embeddings`` the output head *is* the input embedding matrix. An adapter that
targets or saves either one breaks the tie on merge, and llama.cpp's LoRA-to-GGUF conversion refuses
it ("Embeddings is present in the adapter"). ``target_modules="all-linear"`` leaves lm_head out.
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import adapter, patterns
from kbfix.artifacts.refuse import Refusal
from kbfix.artifacts.target import ADAPTER, Target

TIED_HEAD = "peft-lora-on-tied-lm-head"
ENTRIES = (TIED_HEAD,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind == ADAPTER and (target.path / "adapter_config.json").is_file()


def run(target: Target) -> list[Finding]:
    found = adapter.load(target.path)
    try:
        targeted, unchecked = _targeted(found), []
    except Refusal as refusal:  # a regex that cannot be matched safely: the saved weights still speak
        targeted, unchecked = [], [refusal.finding(target.subject)]
    if unchecked and not _saves_embeddings(found):
        return unchecked  # nothing else tells whether lm_head / embed_tokens are adapted
    return _judge(target, found, targeted) + unchecked


def _saves_embeddings(found: adapter.Adapter) -> bool:
    return any(adapter.touches(m) for m in found.saved_modules) or any(
        adapter.touches(m) for m in found.config.get("modules_to_save") or ())


def _judge(target: Target, found: adapter.Adapter, targeted: list[str]) -> list[Finding]:
    saved = {m: sorted(kinds) for m, kinds in found.saved_modules.items() if adapter.touches(m)}
    extra = [m for m in found.config.get("modules_to_save") or () if adapter.touches(m)]
    base, where = adapter.base_config(target, found)
    is_tied, why = adapter.tied(base, found.config.get("base_model_name_or_path") or "")
    facts = {"target_modules": found.target_modules, "embedding_targets": targeted, "embedding_weights": saved,
             "modules_to_save": extra, "tie_word_embeddings": is_tied, "tie_source": why, "base": where,
             "ensure_weight_tying": found.config.get("ensure_weight_tying")}
    if not (targeted or saved or extra):
        return [Finding("adapter-leaves-embeddings", target.subject,
                        Text("the adapter neither targets nor saves lm_head / embed_tokens",
                             "adapter 既没有把 lm_head / embed_tokens 作为 target，也没有保存它们"), facts, refutes=(TIED_HEAD,))]
    touched = sorted(set(targeted) | {adapter.touches(m) for m in saved} | {adapter.touches(m) for m in extra})
    if is_tied:
        return [Finding(
            "lora-on-tied-embeddings", target.subject,
            Text(f"the adapter targets or saves {', '.join(touched)} and the base ties input and output embeddings "
            f"({why}): merging unties them and llama.cpp refuses the adapter; target the linear layers only "
            "(e.g. target_modules='all-linear')", f"adapter 以 {', '.join(touched)} 为 target 或保存了其权重，而基座模型的输入和输出 "
                       f"embedding 是绑定的（{adapter.tied_zh(why)}）：merge 会解除绑定，llama.cpp 也会拒绝该 "
                       "adapter；请只对线性层做 LoRA（例如 target_modules='all-linear'）"), facts, supports=(TIED_HEAD,))]
    return [Finding("adapter-touches-embeddings", target.subject,
                    Text(f"the adapter targets or saves {', '.join(touched)}; the base's embeddings are "
                    + ("not tied" if is_tied is False else f"of unknown tying ({why})"), f"adapter 以 {', '.join(touched)} 为 target 或保存了其权重；基座模型的 embedding "
                               + ("没有绑定" if is_tied is False else f"是否绑定未知（{adapter.tied_zh(why)}）")),
                    facts, refutes=(TIED_HEAD,) if is_tied is False else ())]


def _targeted(found: adapter.Adapter) -> list[str]:
    modules = found.target_modules
    if modules == "all-linear":  # PEFT leaves the output layer out of all-linear
        return []
    if isinstance(modules, str):  # PEFT full-matches the regex against module paths
        paths = ("lm_head", "model.embed_tokens", "transformer.wte", "embeddings.word_embeddings")
        return sorted({adapter.touches(p) for p in patterns.fullmatches(modules, paths)})
    return sorted({adapter.touches(m) for m in modules} - {None})

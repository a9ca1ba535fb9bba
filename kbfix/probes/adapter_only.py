"""An adapter-only checkpoint used where a full model is expected.

A PEFT Trainer checkpoint holds ``adapter_model.safetensors`` and no base weights. Pointing
``model_name_or_path`` at it, or resuming full fine-tuning from it, reports every base key missing.
(A state-dict file holding only LoRA tensors is :mod:`~kbfix.probes.checkpoint_keys`'s finding.)
"""

from __future__ import annotations

from pathlib import Path

from kbfix.model import Finding, Text

from kbfix.artifacts import read, training
from kbfix.artifacts.target import ADAPTER, LLAMAFACTORY, TRAINING_ARGS, Target, detect

ADAPTER_ONLY = "adapter-only-checkpoint-resume"
ENTRIES = (ADAPTER_ONLY,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind in (LLAMAFACTORY, TRAINING_ARGS)


def run(target: Target) -> list[Finding]:
    values = training.settings(target)
    findings = []
    for key in ("model_name_or_path", "resume_from_checkpoint"):
        named = values.get(key)
        if not isinstance(named, str) or not named:
            continue
        folder = _local(named, target.path.parent)
        if folder is None:
            continue
        facts = {key: named, "folder": str(folder), "finetuning_type": values.get("finetuning_type"),
                 "files": sorted(p.name for p in folder.iterdir())[:20]}
        if detect(folder).kind != ADAPTER:
            findings.append(Finding("points-to-full-checkpoint", target.subject,
                                    Text(f"{key} points to a folder with full model weights",
                                         f"{key} 指向的文件夹包含完整的模型权重"), facts, refutes=(ADAPTER_ONLY,)))
        elif key == "model_name_or_path":
            findings.append(Finding(
                "adapter-folder-as-model", target.subject,
                Text(f"model_name_or_path points to {folder.name}, which holds only adapter weights: load the base "
                "model there and pass the adapter as adapter_name_or_path", f"model_name_or_path 指向 {folder.name}，其中只有 adapter 权重：这里应填基座模型，"
                           "adapter 通过 adapter_name_or_path 传入"), facts, supports=(ADAPTER_ONLY,)))
        elif not training.uses_adapter(values):
            findings.append(Finding(
                "resume-full-from-adapter", target.subject,
                Text(f"resume_from_checkpoint points to {folder.name}, which holds only adapter weights, while the "
                "config trains the full model", f"resume_from_checkpoint 指向 {folder.name}，其中只有 adapter 权重，"
                           "而该配置训练的是完整模型"), facts, supports=(ADAPTER_ONLY,)))
        else:
            findings.append(Finding("resume-adapter-from-adapter", target.subject,
                                    Text("resume_from_checkpoint points to an adapter checkpoint and the config trains "
                                    "an adapter too", "resume_from_checkpoint 指向一个 adapter checkpoint，"
                                               "该配置训练的也是 adapter"), facts, refutes=(ADAPTER_ONLY,)))
    return findings


def _local(named: str, near: Path) -> Path | None:
    for candidate in (Path(named).expanduser(), near / named):
        if candidate.is_dir():
            return candidate
    return read.resolve_model(named, near)

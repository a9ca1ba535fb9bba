"""Precision settings the hardware or the model cannot take.

bf16 (and tf32) need compute capability 8.0 (Ampere) or newer: V100 is 7.0, T4 and the 20xx cards
7.5. This is checked only when a GPU is visible. Gemma models overflow in float16 (activations past
65504): loss 0 or NaN; their own configs ship bfloat16.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from kbfix.model import Finding, Text

from kbfix.artifacts import training
from kbfix.artifacts.target import LLAMAFACTORY, TRAINING_ARGS, Target

BF16 = "bf16-unsupported"
FP16 = "fp16-nan-overflow"
ENTRIES = (BF16, FP16)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind in (LLAMAFACTORY, TRAINING_ARGS)


def run(target: Target) -> list[Finding]:
    values = training.settings(target)
    findings = []
    asked = [k for k in ("bf16", "pure_bf16", "tf32") if training.flag(values, k)]
    if asked:
        found = bf16_on(asked, gpu_capability(), target.subject)
        if found is not None:
            findings.append(found)
    if training.flag(values, "fp16"):
        family, source = training.model_type(values, target)
        findings.append(fp16_on(family, source, target.subject))
    return findings


def bf16_on(asked: list[str], capability: tuple[int, int] | None, subject: str) -> Finding | None:
    """The finding for ``asked`` (bf16, tf32...) on a GPU of ``capability``; None when no GPU is visible."""
    if capability is None:
        return None
    facts = {"asked": asked, "compute_capability": f"{capability[0]}.{capability[1]}"}
    if capability < (8, 0):
        return Finding(
            "bf16-on-pre-ampere", subject,
            Text(f"{', '.join(asked)} requested on a GPU of compute capability {facts['compute_capability']}; "
            "bfloat16 and tf32 need 8.0 (Ampere) or newer: use fp16 (or fp32) instead", f"在计算能力 {facts['compute_capability']} 的 GPU 上请求了 {'、'.join(asked)}；bfloat16 和 tf32 "
                       "需要 8.0（Ampere）或更新的 GPU：请改用 fp16（或 fp32）"),
            facts, supports=(BF16,))
    return Finding("bf16-supported", subject, Text(f"the GPU (compute capability {facts['compute_capability']}) "
                   f"supports {', '.join(asked)}", f"该 GPU（计算能力 {facts['compute_capability']}）支持 {'、'.join(asked)}"), facts, refutes=(BF16,))


def fp16_on(family: str | None, source: str, subject: str) -> Finding:
    facts = {"fp16": True, "model_type": family, "model_type_source": source}
    if family and family.startswith("gemma"):
        return Finding("fp16-with-gemma", subject,
                       Text(f"fp16 training of a {family} model ({source}): Gemma activations overflow float16; "
                       "use bf16 (or fp32 on GPUs without bf16)", f"用 fp16 训练 {family} 模型（{training.source_zh(source)}）：Gemma 的激活值会超出 "
                                  "float16 的范围而溢出；请用 bf16（不支持 bf16 的 GPU 上用 fp32）"), facts, supports=(FP16,))
    return Finding("fp16-requested", subject, Text("fp16 training requested", "请求了 fp16 训练"), facts)


# Without one of these, a Linux machine has no NVIDIA (or ROCm) driver: no GPU, and no reason to
# spend seconds importing torch to learn it.
_GPU_DRIVER_FILES = ("/proc/driver/nvidia/version", "/dev/nvidiactl", "/dev/kfd")


def gpu_capability() -> tuple[int, int] | None:
    """The first visible CUDA GPU's compute capability; None without torch or without a GPU."""
    if importlib.util.find_spec("torch") is None:
        return None
    if sys.platform.startswith("linux") and not any(os.path.exists(f) for f in _GPU_DRIVER_FILES):
        return None
    import torch

    if not torch.cuda.is_available():
        return None
    return torch.cuda.get_device_capability(0)

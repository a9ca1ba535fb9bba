"""A live model, trainer or optimizer: what is trainable, in which dtypes, on which devices.

No trainable parameter is the "optimizer got an empty parameter list" cause. Trainable float16
parameters under fp16 mixed precision make the grad scaler fail ("Attempting to unscale FP16
gradients."). Parameters split between CPU and GPU without a device_map mean a tensor was left behind.
"""

from __future__ import annotations

from collections import Counter

from kbfix.model import Finding, Text

from kbfix.artifacts import live
from . import precision
from kbfix.artifacts.target import LIVE, TRAINER, Target

NOTHING = "no-trainable-parameters"
FP16_UNSCALE = "fp16-unscale-gradients"
DEVICES = "tensors-on-different-devices"
ENTRIES = (NOTHING, DEVICES, FP16_UNSCALE)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind in LIVE


def run(target: Target) -> list[Finding]:
    findings = []
    model = live.model_of(target)
    if model is not None:
        findings += _model(model, target.subject)
    optimizer = live.optimizer_of(target)
    if optimizer is not None:
        findings += _optimizer(optimizer, target.subject, model is None)
    if target.kind == TRAINER and model is not None:
        findings += _trainer(target.obj, model, target.subject)
    return findings


def _model(model, subject: str) -> list[Finding]:
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = [p for p in params if p.requires_grad]
    count = sum(p.numel() for p in trainable)
    devices = Counter(str(p.device) for p in params)
    facts = {"class": type(model).__name__, "parameters": total, "trainable": count,
             "trainable_share": round(count / total, 6) if total else 0.0,
             "trainable_dtypes": dict(Counter(str(p.dtype).removeprefix("torch.") for p in trainable)),
             "devices": dict(devices)}
    findings = []
    if not params:
        findings.append(Finding("model-without-parameters", subject,
                                Text(f"the {facts['class']} holds no parameters at all", f"{facts['class']} 里没有任何参数"),
                                facts, supports=(NOTHING,)))
    elif not trainable:
        findings.append(Finding("model-all-frozen", subject,
                                Text(f"every one of the {total} parameters of the {facts['class']} has requires_grad=False",
                                     f"{facts['class']} 的全部 {total} 个参数都是 requires_grad=False"),
                                facts, supports=(NOTHING,)))
    else:
        findings.append(Finding("model-trainable", subject,
                                Text(f"{count} of {total} parameters are trainable ({facts['trainable_share']:.2%})",
                                     f"{total} 个参数中有 {count} 个可训练（{facts['trainable_share']:.2%}）"),
                                facts, refutes=(NOTHING,)))
    kinds = {d.split(":")[0] for d in devices}
    if "cpu" in kinds and kinds & {"cuda", "xpu", "mps"} and not getattr(live.base_of(model), "hf_device_map", None):
        findings.append(Finding("parameters-on-several-devices", subject,
                                Text(f"parameters sit on {', '.join(sorted(devices))} without a device_map: part of "
                                "the model was not moved", f"参数分布在 {', '.join(sorted(devices))} 上，且没有 device_map："
                                           "模型有一部分没有移到目标设备上"), facts, supports=(DEVICES,)))
    return findings


def _optimizer(optimizer, subject: str, alone: bool) -> list[Finding]:
    params = [p for group in optimizer.param_groups for p in group["params"]]
    facts = {"optimizer": type(optimizer).__name__, "param_groups": len(optimizer.param_groups),
             "parameters": sum(p.numel() for p in params)}
    if not params:
        return [Finding("optimizer-empty", subject, Text("the optimizer holds no parameters",
                                                         "优化器里没有任何参数"), facts, supports=(NOTHING,))]
    if alone:  # no refutation: the optimizer that failed may be another one
        return [Finding("optimizer-has-parameters", subject, Text(f"the optimizer holds {facts['parameters']} parameters",
                                                                  f"优化器里有 {facts['parameters']} 个参数"),
                        facts)]
    return []


def _trainer(trainer, model, subject: str) -> list[Finding]:
    args = getattr(trainer, "args", None)
    if args is None:
        return []
    findings = []
    half = [n for n, p in model.named_parameters() if p.requires_grad and str(p.dtype) == "torch.float16"]
    if getattr(args, "fp16", False):
        facts = {"fp16": True, "fp16_trainable": len(half), "examples": half[:5]}
        if half:
            findings.append(Finding("fp16-trainable-under-amp", subject,
                                    Text(f"{len(half)} trainable parameters are float16 under fp16 mixed precision: the "
                                    "grad scaler refuses them; keep trainable weights in float32", f"{len(half)} 个可训练参数在 fp16 混合精度下是 float16：GradScaler "
                                               "会拒绝它们；可训练权重请保持 float32"), facts,
                                    supports=(FP16_UNSCALE,)))
        else:
            findings.append(Finding("fp32-trainable-under-amp", subject,
                                    Text("trainable parameters are float32 under fp16 mixed precision",
                                         "fp16 混合精度下可训练参数是 float32"), facts,
                                    refutes=(FP16_UNSCALE,)))
    asked = [k for k in ("bf16", "tf32") if getattr(args, k, False)]
    if asked:
        found = precision.bf16_on(asked, precision.gpu_capability(), subject)
        if found is not None:
            findings.append(found)
    return findings



"""DeepSpeed ZeRO-3 combined with a device_map or an 8-bit quantized model.

ZeRO-3 partitions every parameter across ranks itself: transformers refuses a ``device_map``
("DeepSpeed Zero-3 is not compatible with passing a `device_map`"); LLaMA-Factory accepts only 4-bit
quantization with ZeRO-3 ("Only 4-bit quantized model can use fsdp+qlora or auto device map").
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from kbfix.artifacts import training
from kbfix.artifacts.target import LLAMAFACTORY, TRAINING_ARGS, Target

DEVICE_MAP = "device-map-in-distributed-training"
ENTRIES = (DEVICE_MAP,)  # the corpus entries this probe's findings may support or refute


def applies(target: Target) -> bool:
    return target.kind in (LLAMAFACTORY, TRAINING_ARGS)


def run(target: Target) -> list[Finding]:
    values = training.settings(target)
    _, stage, source = training.deepspeed(values, target)
    device_map = training.device_map(values)
    quantized = training.quantization(values)
    if stage is None:
        return []  # no DeepSpeed: a device_map alone is a single-process placement, nothing to say here
    facts = {"zero_stage": stage, "deepspeed": source, "device_map": device_map, "quantization": quantized}
    if stage == 3 and device_map is not None:
        return [Finding("zero3-with-device-map", target.subject,
                        Text(f"ZeRO-3 ({source}) with device_map={device_map!r}: ZeRO-3 places parameters itself; "
                        "drop device_map", f"ZeRO-3（{training.source_zh(source)}）与 device_map={device_map!r} 同时使用："
                                   "ZeRO-3 会自行放置参数；请去掉 device_map"), facts, supports=(DEVICE_MAP,))]
    bits = quantized.get("quantization_bit")
    if stage == 3 and (bits == 8 or quantized.get("load_in_8bit")):
        return [Finding("zero3-with-8bit", target.subject,
                        Text(f"ZeRO-3 ({source}) with an 8-bit quantized model: only 4-bit (QLoRA) works with ZeRO-3",
                             f"ZeRO-3（{training.source_zh(source)}）配合 8-bit 量化模型：ZeRO-3 只支持 4-bit"
                                   "（QLoRA）"),
                        facts, supports=(DEVICE_MAP,))]
    if stage is not None and device_map is not None:
        return [Finding("distributed-with-device-map", target.subject,
                        Text(f"DeepSpeed ZeRO-{stage} with device_map={device_map!r}: a device_map spreads one model "
                        "over GPUs and cannot be combined with data-parallel training", f"DeepSpeed ZeRO-{stage} 与 device_map={device_map!r} 同时使用：device_map "
                                   "把一个模型拆到多张 GPU 上，不能和数据并行训练一起用"), facts, supports=(DEVICE_MAP,))]
    return [Finding("zero-placement-ok", target.subject,
                    Text(f"ZeRO-{stage} without a device_map" + (" (4-bit quantization: QLoRA)" if quantized else ""), f"ZeRO-{stage} 没有使用 device_map" + ("（4-bit 量化：QLoRA）" if quantized else "")),
                    facts, refutes=(DEVICE_MAP,))]

"""Compare a checkpoint's tensor names and shapes with what a model expects, and say what differs.

Pure: takes an :class:`~kbfix.probes.expect.Expected` and ``{name: shape}``, returns findings. The
classes of difference are the corpus entries: a contiguous tail of layers missing (incomplete save),
a key prefix, vocabulary rows only, the task head only, every layer another width (another model
size), a ``[0]``-shaped side (ZeRO-3 partitioned), adapter weights where a full model was expected.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from kbfix.model import Finding, Text

from . import sizes
from .expect import BENIGN_UNEXPECTED, Expected, rename

INCOMPLETE = "checkpoint-missing-keys-incomplete"
PREFIX = "state-dict-prefix-mismatch"
VOCAB = "vocab-size-mismatch"
HEAD = "classifier-head-size-mismatch"
ARCHITECTURE = "checkpoint-size-mismatch-wrong-architecture"
ZERO3 = "zero3-partitioned-param-shape-zero"
ADAPTER_ONLY = "adapter-only-checkpoint-resume"
# What matching names and shapes rules out (file completeness is weights_readable's to say).
KEY_LEVEL = (PREFIX, VOCAB, HEAD, ARCHITECTURE, ZERO3, ADAPTER_ONLY)

VOCAB_KEY = re.compile(r"(^|\.)(embed_tokens|lm_head|wte|word_embeddings|embed_in|embed_out|shared|"
                       r"tok_embeddings|output)\.(weight|bias)$|(^|\.)final_logits_bias$")
HEAD_KEY = re.compile(r"(^|\.)(classifier|score|qa_outputs|classification_head)(\.|$)")
LAYER_KEY = re.compile(r"^(?P<stack>(?:.*\.)?(?:layers|layer|h|blocks|block|resblocks))\.(?P<index>\d+)\.")
ADAPTER_KEY = re.compile(r"lora_(A|B|embedding_A|embedding_B|magnitude_vector)|\.ia3_l|modules_to_save|\.base_layer\.")
PATCH_KEY = re.compile(r"(patch_embedding|patch_embed\.proj|conv1)\.weight$")
SAMPLE = 5

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Alignment:
    keys: dict[str, Shape | None]  # checkpoint keys renamed to the model's names; None: fused, shape unknown
    strip: str = ""  # prefix removed from the checkpoint's keys
    add: str = ""  # prefix added to them

    @property
    def changed(self) -> bool:
        return bool(self.strip or self.add)


def compare(expected: Expected, found: dict[str, Shape], subject: str, *, from_pretrained: bool) -> list[Finding]:
    """Findings for loading ``found`` into the model described by ``expected``.

    ``from_pretrained``: the checkpoint is a model folder, loaded by transformers, which renames keys
    and adds or strips the base-model prefix itself; otherwise (a state-dict file) keys must match
    as they are, as with ``model.load_state_dict``.
    """
    found = {k: v for k, v in found.items() if not BENIGN_UNEXPECTED.search(k)}
    if found and all(ADAPTER_KEY.search(k) for k in found):
        return [_adapter_only(subject, found, expected)]
    if from_pretrained:
        renames = copy.deepcopy(expected.renames)
        renamed: dict[str, Shape | None] = {}
        for key, shape in found.items():
            new_key, fused = rename(key, renames)
            renamed[new_key] = None if fused else shape
    else:
        renamed = dict(found)
    aligned = align(set(expected.shapes), renamed)
    findings: list[Finding] = []
    benign = from_pretrained and expected.prefix and {aligned.strip, aligned.add} <= {"", expected.prefix + "."}
    if aligned.changed and not benign:
        findings.append(_prefix(subject, aligned, len(found)))
    for finding in _differences(expected, aligned.keys, subject):
        if findings and finding.refutes:  # names match once the prefix is fixed: the prefix stays the problem
            finding = replace(finding, summary=Text("with the prefix fixed, " + finding.summary.en,
                                                    "修正前缀后，" + finding.summary.zh),
                              refutes=tuple(e for e in finding.refutes if e != PREFIX))
        findings.append(finding)
    return findings


def align(expected: set[str], found: dict[str, Shape | None]) -> Alignment:
    """The prefix change (strip, add or both) that makes most checkpoint keys match the model's."""
    best = Alignment(found)
    best_score = len(expected & found.keys())
    extra = [k for k in found if k not in expected]
    lacking = [k for k in expected if k not in found]
    if not extra:
        return best
    strips = [""] + _common_prefixes(extra)
    adds = [""] + _common_prefixes(lacking)
    for strip in strips:
        for add in adds:
            if not strip and not add:
                continue
            keys = {add + k[len(strip):] if k.startswith(strip) else k: v for k, v in found.items()}
            score = len(expected & keys.keys())
            if score > best_score:
                best, best_score = Alignment(keys, strip, add), score
    return best


def _common_prefixes(keys: list[str], top: int = 4) -> list[str]:
    counts: Counter[str] = Counter()
    for key in keys:
        parts = key.split(".")
        for n in range(1, min(3, len(parts) - 1) + 1):
            counts[".".join(parts[:n]) + "."] += 1
    return [p for p, n in counts.most_common(top) if n >= max(1, len(keys) // 2)]


def _differences(expected: Expected, found: dict[str, Shape | None], subject: str) -> list[Finding]:
    present = found.keys()
    tied_ok = {name for group in expected.tied if group & present for name in group}
    missing = [k for k in expected.shapes if k not in present and k not in tied_ok
               and not any(re.search(p, k) for p in expected.ignore_missing)]
    unexpected = [k for k in found if k not in expected.shapes
                  and not any(re.search(p, k) for p in expected.ignore_unexpected)]
    mismatched = {k: (expected.shapes[k], found[k]) for k in expected.shapes
                  if found.get(k) is not None and tuple(found[k]) != expected.shapes[k]}
    facts = {"expected_keys": len(expected.shapes), "checkpoint_keys": len(found), "missing": len(missing),
             "unexpected": len(unexpected), "mismatched": len(mismatched), "model_class": expected.class_name}
    if not (missing or unexpected or mismatched):
        return [Finding("checkpoint-matches-config", subject,
                        Text(f"every tensor the {expected.class_name} expects is present with the right shape",
                             f"{expected.class_name} 需要的每个张量都存在，且形状正确"),
                        facts, refutes=KEY_LEVEL)]
    findings: list[Finding] = []
    zero = {k: v for k, v in mismatched.items() if 0 in v[1]}
    if zero:
        findings.append(Finding(
            "zero3-empty-shapes", subject,
            Text(f"{len(zero)} tensors are saved with an empty shape such as [0]: ZeRO-3 partitions, "
            "saved without gathering the full parameters", f"{len(zero)} 个张量以 [0] 这样的空形状保存：这是 ZeRO-3 的分区参数，"
                       "保存前没有 gather 成完整参数"),
            {**facts, "empty": len(zero), "examples": _sample(zero)}, supports=(ZERO3,)))
        mismatched = {k: v for k, v in mismatched.items() if k not in zero}
    findings += _mismatches(expected, mismatched, facts, subject)
    findings += _layers(expected, found, missing, unexpected, facts, subject)
    if not findings:
        findings.append(Finding(
            "checkpoint-keys-differ", subject,
            Text(f"{len(missing)} missing, {len(unexpected)} unexpected, {len(mismatched)} mismatched tensors",
                 f"{len(missing)} 个张量缺失，{len(unexpected)} 个多余，{len(mismatched)} 个形状不符"),
            {**facts, "missing_examples": missing[:SAMPLE], "unexpected_examples": unexpected[:SAMPLE],
             "mismatched_examples": _sample(mismatched)}))
    return findings


def _mismatches(expected: Expected, mismatched: dict, facts: dict, subject: str) -> list[Finding]:
    vocab = {k: v for k, v in mismatched.items() if VOCAB_KEY.search(k)}
    head = {k: v for k, v in mismatched.items() if HEAD_KEY.search(k) and k not in vocab}
    if len(vocab) + len(head) < len(mismatched):
        return [_architecture(expected, mismatched, facts, subject)]
    findings = []
    if vocab:
        config, checkpoint = _first_dims(vocab)
        findings.append(Finding(
            "vocab-rows-differ", subject,
            Text(f"only the vocabulary rows differ: the checkpoint has {checkpoint} tokens, the config {config}",
                 f"只有词表行数不同：checkpoint 有 {checkpoint} 个 token，config 是 {config} 个"),
            {**facts, "config_vocab": config, "checkpoint_vocab": checkpoint, "keys": sorted(vocab)},
            supports=(VOCAB,)))
    if head:
        config, checkpoint = _first_dims(head)
        findings.append(Finding(
            "task-head-differs", subject,
            Text(f"only the task head differs: {checkpoint} outputs in the checkpoint, {config} in the config (num_labels)",
                 f"只有任务头不同：checkpoint 有 {checkpoint} 个输出，config 是 {config} 个（num_labels）"),
            {**facts, "config_num_labels": config, "checkpoint_num_labels": checkpoint, "keys": sorted(head)},
            supports=(HEAD,)))
    return findings


def _first_dims(mismatched: dict) -> tuple[int, int]:
    """(config, checkpoint) sizes of the first dimension: vocabulary rows, head outputs."""
    want, got = mismatched[min(mismatched)]
    return want[0], got[0]


def _architecture(expected: Expected, mismatched: dict, facts: dict, subject: str) -> Finding:
    pairs: dict[str, Counter] = defaultdict(Counter)
    patches: dict[str, tuple[int | None, int | None]] = {}
    for key, (want, got) in mismatched.items():
        tower = _tower(key)
        if PATCH_KEY.search(key) and len(want) == 4:
            patches[tower] = (want[-1], got[-1])
        if len(want) == len(got):
            for a, b in zip(want, got):
                if a != b:
                    pairs[tower][(a, b)] += 1
    towers, towers_zh = {}, {}
    family = expected.model_type
    for tower, counter in sorted(pairs.items()):
        (config_width, checkpoint_width), _ = counter.most_common(1)[0]
        config_patch, checkpoint_patch = patches.get(tower, (None, None))
        towers[tower] = {
            "config": sizes.describe(family, tower, config_width, config_patch),
            "checkpoint": sizes.describe(family, tower, checkpoint_width, checkpoint_patch),
            "config_width": config_width, "checkpoint_width": checkpoint_width,
            "mismatched": sum(1 for k in mismatched if _tower(k) == tower),
        }
        towers_zh[tower] = (sizes.describe_zh(family, tower, checkpoint_width, checkpoint_patch),
                            sizes.describe_zh(family, tower, config_width, config_patch))
    said = "; ".join(f"{t}: checkpoint is {v['checkpoint']}, config is {v['config']}" for t, v in towers.items())
    said_zh = "；".join(f"{_TOWER_ZH.get(t, t)}：checkpoint 是{sizes.spaced(checkpoint)}，"
                       f"config 是{sizes.spaced(config)}" for t, (checkpoint, config) in towers_zh.items())
    share = len(mismatched) / max(1, facts["expected_keys"])
    return Finding(
        "checkpoint-other-model-size", subject,
        Text(f"{len(mismatched)} tensors ({share:.0%}) have other shapes than the config: {said}",
             f"{len(mismatched)} 个张量（{share:.0%}）的形状与 config 不一致：{said_zh}"),
        {**facts, "towers": towers, "examples": _sample(mismatched)}, supports=(ARCHITECTURE,))


def _layers(expected: Expected, found: dict, missing: list[str], unexpected: list[str], facts: dict,
            subject: str) -> list[Finding]:
    want = _layer_indices(expected.shapes)
    have = _layer_indices(found)
    findings = []
    whole = {}
    for stack, indices in want.items():
        gone = sorted(indices - have.get(stack, set()))
        if gone:
            whole[stack] = gone
    if whole:
        tail = all(gone == list(range(gone[0], max(want[stack]) + 1)) for stack, gone in whole.items())
        said = "; ".join(f"{stack}: {len(want[stack]) - len(gone)} of {len(want[stack])} layers present"
                         for stack, gone in whole.items())
        said_zh = "；".join(f"{stack}：共 {len(want[stack])} 层，只有 {len(want[stack]) - len(gone)} 层"
                            for stack, gone in whole.items())
        findings.append(Finding(
            "layers-missing", subject,
            Text(("a contiguous tail of layers is missing (an interrupted save or partial download): " if tail
             else "whole layers are missing: ") + said, ("缺少末尾连续的若干层（保存中断或下载不完整）：" if tail else "缺少整层：") + said_zh),
            {**facts, "missing_layers": whole, "contiguous_tail": tail, "missing_examples": missing[:SAMPLE]},
            supports=(INCOMPLETE,)))
    deeper = {}
    for stack, indices in have.items():
        extra = sorted(indices - want.get(stack, set()))
        if extra and stack in want:
            deeper[stack] = {"checkpoint_layers": max(indices) + 1, "config_layers": max(want[stack]) + 1}
    if deeper:
        said = "; ".join(f"{s}: {v['checkpoint_layers']} layers in the checkpoint, {v['config_layers']} in the config"
                         for s, v in deeper.items())
        said_zh = "；".join(f"{s}：checkpoint 有 {v['checkpoint_layers']} 层，config 是 {v['config_layers']} 层"
                            for s, v in deeper.items())
        findings.append(Finding(
            "checkpoint-deeper-than-config", subject, Text(f"the checkpoint has more layers than the config: {said}",
                                                           f"checkpoint 的层数比 config 多：{said_zh}"),
            {**facts, "layers": deeper, "unexpected_examples": unexpected[:SAMPLE]}, supports=(ARCHITECTURE,)))
    return findings


def _layer_indices(keys) -> dict[str, set[int]]:
    stacks: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        match = LAYER_KEY.match(key)
        if match:
            stacks[match["stack"]].add(int(match["index"]))
    return stacks


def _adapter_only(subject: str, found: dict, expected: Expected) -> Finding:
    return Finding(
        "adapter-weights-as-full-checkpoint", subject,
        Text(f"the checkpoint holds only adapter (LoRA) weights ({len(found)} tensors); every one of the "
        f"{len(expected.shapes)} base-model tensors of the {expected.class_name} would be missing", f"该 checkpoint 只有 adapter（LoRA）权重（{len(found)} 个张量）；{expected.class_name} 的全部 "
                   f"{len(expected.shapes)} 个基座模型张量都会缺失"),
        {"adapter_keys": len(found), "expected_keys": len(expected.shapes), "examples": sorted(found)[:SAMPLE]},
        supports=(ADAPTER_ONLY,))


def _prefix(subject: str, aligned: Alignment, total: int) -> Finding:
    if aligned.strip and aligned.add:
        said = f"the checkpoint's keys start with '{aligned.strip}' where the model's start with '{aligned.add}'"
        said_zh = f"checkpoint 的键以 '{aligned.strip}' 开头，而模型的键以 '{aligned.add}' 开头"
    elif aligned.strip:
        said = f"the checkpoint's keys carry an extra '{aligned.strip}' prefix"
        said_zh = f"checkpoint 的键多了一个 '{aligned.strip}' 前缀"
    else:
        said = f"the checkpoint's keys lack the model's '{aligned.add}' prefix"
        said_zh = f"checkpoint 的键缺少模型的 '{aligned.add}' 前缀"
    return Finding("key-prefix-differs", subject, Text(said + "; otherwise the names match", said_zh + "；除此之外键名都一致"),
                   {"strip": aligned.strip, "add": aligned.add, "checkpoint_keys": total}, supports=(PREFIX,))


_TOWER_ZH = {"vision": "视觉塔", "text": "文本塔", "model": "模型"}


def _tower(key: str) -> str:
    if re.search(r"vision|visual", key):
        return "vision"
    if re.search(r"text|bert", key):
        return "text"
    return "model"


def _sample(mismatched: dict) -> dict[str, str]:
    return {k: f"{list(v[1])} in checkpoint, {list(v[0])} expected" for k, v in list(mismatched.items())[:SAMPLE]}

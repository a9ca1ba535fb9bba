"""Findings from the user's artifacts and live objects, and re-checks after a fix.

``inspect_paths`` works out what each path is, pairs artifacts with the model they belong to (an
adapter with the base folder given beside it, a state-dict file with a config) and runs the
applicable probes. ``inspect_object`` does the same for a model, trainer or optimizer in memory.
``verify`` re-runs the checks tied to one corpus entry: it passes when some check clears the entry
and none still supports it, fails when one still supports it, and could not check when no check
that speaks to the entry ran on the paths given.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kbfix import probes
from kbfix.model import Finding, Text, Vocabulary
from kbfix.artifacts import target as kinds

# Artifacts that are checked against a model config when one is given beside them.
_NEEDS_BASE = (kinds.ADAPTER, kinds.CHECKPOINT, kinds.LLAMAFACTORY, kinds.TRAINING_ARGS)


class Outcome(Vocabulary):
    PASSED = "passed"  # a check cleared the entry and none still supports it
    FAILED = "failed"  # a check still finds the cause
    UNCHECKED = "unchecked"  # no check that speaks to the entry ran on these paths


@dataclass(frozen=True)
class VerifyResult:
    entry_id: str
    outcome: Outcome
    facts: Mapping[str, object] = field(default_factory=dict)  # plain data: str, int, float, bool, None, list, dict
    findings: tuple[Finding, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASSED


def targets(paths: Iterable[str | os.PathLike]) -> list[probes.Target]:
    """Detect each path's kind; give artifacts the model folder or config passed beside them."""
    found = [probes.detect(Path(p)) for p in paths]
    bases = [t.path for t in found if t.kind in (kinds.MODEL, kinds.MODEL_CONFIG) and t.config is not None]
    paired = []
    for t in found:
        needs_base = t.kind in _NEEDS_BASE or (t.kind == kinds.MODEL and t.config is None)
        base = next((b for b in bases if b != t.path), None) if needs_base else None
        paired.append(replace(t, base=base, related=tuple(o.path for o in found if o is not t)))
    return paired


def inspect_paths(paths: Iterable[str | os.PathLike]) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    for t in targets(paths):
        findings += [problem.finding(t.subject) for problem in t.problems]
        if t.kind == kinds.UNREADABLE:
            continue  # its problem says why
        if t.kind == kinds.MISSING:
            findings.append(Finding("path-missing", t.subject, Text("no such file or folder",
                                                                    "文件或文件夹不存在"), error="not found"))
        elif t.kind == kinds.UNKNOWN:
            findings.append(Finding(
                "artifact-unrecognised", t.subject,
                Text("not a model folder, checkpoint, adapter, training config or Orbax folder kbfix recognises",
                     "不是 kbfix 能识别的模型文件夹、checkpoint、adapter、训练配置或 Orbax 文件夹"),
                {"files": sorted(p.name for p in t.path.iterdir())[:20]} if t.path.is_dir() else {},
                error="unrecognised artifact"))
        else:
            findings += probes.run(t)
    return reconcile(once(findings))


def once(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The same failure about the same subject, said once.

    Several probes read the same broken file: its refusal is kept once, and not at all where a probe
    already reported that file under the same kind (weights_readable's unreadable header).
    """
    findings = tuple(findings)
    reported = {(f.kind, f.subject) for f in findings if not f.error}
    seen: set[tuple[str, str, str]] = set()
    out = []
    for f in findings:
        if f.error:
            key = (f.kind, f.subject, f.error)
            if key in seen or key[:2] in reported:
                continue
            seen.add(key)
        out.append(f)
    return tuple(out)


def reconcile(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """An entry that one artifact supports is not cleared by another artifact's all-clear.

    A healthy base folder refutes a size mismatch *of its own weights*; the adapter beside it may
    still not fit it. Refutations stand only against supports from the same subject.
    """
    findings = tuple(findings)
    supporters: dict[str, set[str]] = {}
    for f in findings:
        for entry_id in f.supports:
            supporters.setdefault(entry_id, set()).add(f.subject)
    out = []
    for f in findings:
        kept = tuple(e for e in f.refutes if not supporters.get(e, set()) - {f.subject})
        out.append(f if kept == f.refutes else replace(f, refutes=kept))
    return tuple(out)


def inspect_object(obj: object) -> tuple[Finding, ...]:
    """Findings for a live nn.Module / PreTrainedModel / PeftModel, Trainer or optimizer."""
    t = probes.of_object(obj)
    if t.kind == kinds.UNKNOWN:
        return (Finding("object-unsupported", t.subject,
                        Text("kbfix inspects torch modules, transformers Trainers and torch optimizers",
                             "kbfix 只能检查 torch 模块（nn.Module）、transformers Trainer 和 torch 优化器"),
                        error=f"cannot inspect a {type(obj).__name__}"),)
    return once(probes.run(t))


def inspect(*things: object) -> tuple[Finding, ...]:
    """``kbfix.inspect(model)``, ``kbfix.inspect("out/checkpoint-500", "train.yaml")``: paths and objects."""
    paths = [t for t in things if isinstance(t, (str, os.PathLike))]
    findings = list(inspect_paths(paths)) if paths else []
    for thing in things:
        if not isinstance(thing, (str, os.PathLike)):
            findings += inspect_object(thing)
    return tuple(findings)


def clear_caches() -> None:
    """Forget cached headers, configs and meta-device models (they are keyed by file size and mtime)."""
    from kbfix.artifacts import expect, read

    read.clear_caches()
    expect.clear_caches()


def verify(entry_id: str, paths: Iterable[str | os.PathLike]) -> VerifyResult:
    """Re-check ``entry_id`` against the artifacts after the fix.

    Passes when at least one check that speaks to the entry ran and cleared it (a finding refutes
    it) and no finding still supports it; fails when a finding still supports it; otherwise the
    entry could not be checked (``Outcome.UNCHECKED``, with the reason). Files that could not be
    read are listed; they do not pass anything.
    """
    findings = inspect_paths(paths)
    still = [f for f in findings if entry_id in f.supports]
    cleared = [f for f in findings if entry_id in f.refutes]
    errors = [f for f in findings if f.error]
    facts: dict[str, object] = {
        "still_present": [f"{f.subject}: {f.summary.en}" for f in still],
        "cleared": [f"{f.subject}: {f.summary.en}" for f in cleared],
        "errors": [f"{f.subject}: {f.summary.en}" for f in errors],
    }
    for f in still + cleared:
        facts.setdefault("checks", {})[f.kind] = plain(f.facts)
    if still:
        outcome = Outcome.FAILED
    elif cleared:
        outcome = Outcome.PASSED
    else:
        outcome = Outcome.UNCHECKED
        facts["reason"] = (f"no check for {entry_id} applies to these paths"
                           + (" (some of them could not be read)" if errors else ""))
    return VerifyResult(entry_id, outcome, facts, tuple(still + cleared + errors))


def plain(value: object) -> object:
    """``value`` as JSON-ready data: tuples and sets become lists, keys strings, other objects their str."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value) if all(isinstance(v, str) for v in value) else [plain(v) for v in value]
    return str(value)

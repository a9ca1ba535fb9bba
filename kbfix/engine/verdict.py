"""Stage 4: from scored candidates to a :class:`~kbfix.model.Report`.

Findings from introspection move an entry's logit (support) or rule it out (refute). Among several
errors in one log, the earliest confident one that is not a known consequence of another failure
(NCCL watchdog timeouts, launcher ``ChildFailedError`` ...) is the root cause. The verdict is
"match" when the best confidence reaches :data:`THRESHOLD`, else "no_match" with the nearest
candidates.
"""

from __future__ import annotations

import re

from kbfix.engine.advice import NO_ERROR, advise
from kbfix.engine.candidates import is_secondary
from kbfix.traceback import says_trouble
from kbfix.engine.features import Scored
from kbfix.model import Evidence, EvidenceKind, Finding, Log, Match, Report, Text, Trace, Verdict

THRESHOLD = 0.5
FINDING_SUPPORT_LOGIT = 2.5
FINDING_REFUTE_LOGIT = -12.0  # artifacts that contradict an entry rule it out
DECISIVE_WEIGHT = 0.9

Candidate = tuple[Trace | None, list[Scored]]
# What a traceback shows even when its exception line was not copied.
TRACEBACK_PARTS_RE = re.compile(r'Traceback \(most recent|^\s*File "[^"]+", line \d+|[│╭╰]|^\s*Cell In\[', re.M)


def apply_findings(scored: list[Scored], findings: tuple[Finding, ...]) -> list[Scored]:
    """A finding that supports an entry raises its logit; one that refutes it sinks it."""
    if not findings:
        return scored
    out = []
    for s in scored:
        delta = sum(FINDING_SUPPORT_LOGIT for f in findings if s.entry.id in f.supports)
        delta += sum(FINDING_REFUTE_LOGIT for f in findings if s.entry.id in f.refutes)
        out.append(s.shifted(delta))
    out.sort(key=lambda s: s.order)
    return out


def _confident(item: Candidate) -> bool:
    return bool(item[1]) and item[1][0].confidence >= THRESHOLD


def _secondary(item: Candidate) -> bool:
    trace, scored = item
    return (trace is not None and is_secondary(trace)) or scored[0].entry.cascade


def choose_root_cause(per_candidate: list[Candidate]) -> Candidate:
    """The earliest confident error that is not a consequence of another; else the best guess."""
    confident = [item for item in per_candidate if _confident(item)]
    primary = [item for item in confident if not _secondary(item)]
    if primary:
        return primary[0]
    if confident:
        return max(confident, key=lambda item: item[1][0].logit)
    if not per_candidate:
        return None, []
    # nothing confident: report the error the user most likely saw, with its nearest candidates
    plain = [item for item in per_candidate if item[0] is None or not is_secondary(item[0])]
    return (plain or per_candidate)[-1]


def decisive(per_candidate: list[Candidate], chosen_trace: Trace | None) -> bool:
    """True when dense evidence cannot change the answer: the chosen error is the first one in the
    log that is not a consequence of another, one entry's signature of weight >= 0.9 fired on it,
    and no other entry's signature did (on it or on any error before it)."""
    primaries = [item for item in per_candidate if item[0] is not None and not is_secondary(item[0])]
    if not primaries or primaries[0][0] is not chosen_trace:
        return False
    scored = primaries[0][1]
    fired = [s for s in scored if s.hits]
    full = max((h.weight for h in fired[0].hits if h.level == "full"), default=0.0) if fired else 0.0
    return (len(fired) == 1 and fired[0] is scored[0] and full >= DECISIVE_WEIGHT
            and not fired[0].entry.cascade and scored[0].confidence >= THRESHOLD)


def evidence(scored: Scored, findings: tuple[Finding, ...]) -> tuple[tuple[Evidence, ...], dict[str, str]]:
    """What a match shows for itself (signature lines and captures, shared words, nearest text,
    findings), and the values captured from the user's error."""
    found: list[Evidence] = []
    captures: dict[str, str] = {}
    for hit in scored.hits:
        if hit.exc is None:
            where = Text(" in the log", "（日志中）")
        elif hit.exc.type:
            where = Text(f" in {hit.exc.type}", f"（{hit.exc.type}）")
        else:
            where = Text(" in the pasted message (no exception line)", "（粘贴的报错正文，没有异常行）")
        if hit.level != "full":
            level = {"loose": Text(", exception type not confirmed", "，异常类型未确认"),
                     "fragment": Text(", on a message that is cut off", "，报错信息被截断")}[hit.level]
            where = Text(where.en + level.en, where.zh + level.zh)
        matched = hit.matched[:200]
        found.append(Evidence(EvidenceKind.SIGNATURE,
                              Text(f"signature '{hit.signature.id}' matched{where.en}: {matched}",
                                   f"特征 '{hit.signature.id}' 匹配{where.zh}：{matched}"),
                              hit.lines, (), dict(hit.captures), hit.signature.weight))
        found.extend(e for e in hit.evidence if e not in found)  # what its version facts say (engine/skew.py)
        for name, value in hit.captures.items():
            captures.setdefault(name, value)
    # what a wording decides by itself (a signature's ``sets``) wins over what other hits read
    captures.update({name: value for hit in scored.hits if not hit.partial for name, value in hit.signature.sets.items()})
    if scored.lex_tokens:
        terms = ", ".join(scored.lex_tokens)
        found.append(Evidence(EvidenceKind.LEXICAL, Text(f"shared terms: {terms}", f"共同的词：{terms}"),
                              tokens=scored.lex_tokens, weight=round(scored.features["lex"], 3)))
    if scored.dense_source is not None and scored.features["dense"] > 0:
        source, cosine = scored.dense_source, scored.features["dense"]
        found.append(Evidence(EvidenceKind.DENSE, Text(f"nearest corpus text: {source} (cosine {cosine:.2f})",
                                                       f"最相近的知识库文本：{source}（余弦相似度 {cosine:.2f}）"),
                              weight=round(cosine, 3)))
    for finding in findings:
        if scored.entry.id in finding.supports:
            _fill_from_finding(captures, scored.entry.placeholders, finding)
            found.append(Evidence(EvidenceKind.FINDING, Text(f"supported by {finding.kind}: {finding.summary.en}",
                                                             f"{finding.kind} 支持：{finding.summary.zh}"),
                                  weight=FINDING_SUPPORT_LOGIT))
        if scored.entry.id in finding.refutes:
            found.append(Evidence(EvidenceKind.FINDING, Text(f"contradicted by {finding.kind}: {finding.summary.en}",
                                                             f"{finding.kind} 否定：{finding.summary.zh}"),
                                  weight=FINDING_REFUTE_LOGIT))
    return tuple(found), captures


CONFIG_CAPTURES = ("config", "yaml", "training_config", "deepspeed_config")
ARTIFACT_CAPTURES = ("checkpoint_dir", "checkpoint", "model_dir", "adapter_dir", "adapter", "output_dir", "path")


def _fill_from_finding(captures: dict[str, str], placeholders, finding: Finding) -> None:
    """What an artifact's finding knows fills the fix text where the traceback did not: its simple
    facts, and its path for the entry's path-like placeholders (a config for config names)."""
    for name, value in finding.facts.items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            captures.setdefault(name, str(value))
    names = CONFIG_CAPTURES if finding.subject.lower().endswith((".yaml", ".yml", ".json")) else ARTIFACT_CAPTURES
    for name in placeholders:
        if name in names and name not in captures:
            captures[name] = finding.subject


def to_match(scored: Scored, findings: tuple[Finding, ...]) -> Match:
    found, captures = evidence(scored, findings)
    scores = {k: round(v, 4) for k, v in scored.features.items()}
    return Match(scored.entry, round(scored.confidence, 4), found, captures, scores)


def healthy(log: Log, per_candidate: list[Candidate]) -> bool:
    """No error in the log: no exception or warning was parsed, no signature fired, and no line says
    anything failed."""
    if log.traces or log.headless or any(s.hits for _, scored in per_candidate for s in scored):
        return False
    return not any(says_trouble(line) or TRACEBACK_PARTS_RE.search(line) for line in log.lines)


def decide(per_candidate: list[Candidate], log: Log, findings: tuple[Finding, ...], top: int,
           notes: tuple[str, ...] = ()) -> Report:
    """The report for a log whose candidates have been scored."""
    chosen_trace, chosen = choose_root_cause(per_candidate)
    if not (chosen and chosen[0].confidence >= THRESHOLD) and healthy(log, per_candidate) \
            and not any(f.supports or f.error for f in findings):
        return Report(Verdict.NO_ERROR, (), None, log, findings, notes, THRESHOLD, NO_ERROR)
    matches = tuple(to_match(s, findings) for s in chosen[:top])
    ruled_out = tuple((s.entry.id, s.ruled_out) for s in chosen if s.ruled_out)[:top]  # the best scored, as matches
    if chosen and chosen[0].confidence >= THRESHOLD:
        return Report(Verdict.MATCH, matches, chosen_trace, log, findings, notes, THRESHOLD, ruled_out=ruled_out)
    return Report(Verdict.NO_MATCH, matches, chosen_trace, log, findings, notes, THRESHOLD,
                  advise(log, chosen_trace, chosen), ruled_out)


def from_findings(by_id: dict, findings: tuple[Finding, ...], top: int, notes: tuple[str, ...] = ()) -> Report:
    """Rank entries from introspection findings alone (``kbfix inspect``)."""
    support: dict[str, list[Finding]] = {}
    refuted: set[str] = set()
    for finding in findings:
        for entry_id in finding.supports:
            support.setdefault(entry_id, []).append(finding)
        refuted.update(finding.refutes)
    matches = []
    for entry_id, found in support.items():
        if entry_id not in by_id or entry_id in refuted:
            continue
        confidence = 1.0 - 0.15 ** len(found)
        shown = tuple(Evidence(EvidenceKind.FINDING, f.summary, captures={k: str(v) for k, v in f.facts.items()},
                               weight=FINDING_SUPPORT_LOGIT) for f in found)
        captures: dict[str, str] = {}
        for finding in found:
            _fill_from_finding(captures, by_id[entry_id].placeholders, finding)
        matches.append(Match(by_id[entry_id], confidence, shown, captures, {"findings": float(len(found))}))
    matches.sort(key=lambda m: -m.confidence)
    if matches and matches[0].confidence >= THRESHOLD:
        verdict = Verdict.MATCH
    elif any(f.supports or f.error for f in findings):
        verdict = Verdict.NO_MATCH
    else:
        verdict = Verdict.NO_ERROR  # every artifact read and nothing points to a cause
    return Report(verdict, tuple(matches[:top]), None, None, findings, notes, THRESHOLD)

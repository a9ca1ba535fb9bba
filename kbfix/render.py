"""Report -> plain text (for terminals and pipes) and JSON (one schema, ``schema/report.schema.json``).

The text renderer writes ANSI colour itself when asked, so the pipe path never imports rich.
"""

from __future__ import annotations

from typing import Any

from kbfix import __version__
from kbfix.engine.rank import THRESHOLD, fill
from kbfix.model import Entry, Finding, Fix, Lang, Match, Report, Trace
from kbfix.versions import fix_verification, warnings_for

SCHEMA_VERSION = 1
LABELS = {
    "en": {"no_match": "no confident match", "nearest": "nearest candidates (not confident)", "fix": "Fix",
           "evidence": "Evidence", "why": "Why", "others": "Other candidates", "refs": "References",
           "verified": "verified", "error": "error", "confidence": "confidence", "findings": "Findings",
           "warning": "warning"},
    "zh": {"no_match": "没有可信的匹配", "nearest": "最接近的候选（置信度不足）", "fix": "修复", "evidence": "证据",
           "why": "原因", "others": "其他候选", "refs": "参考", "verified": "已验证", "error": "错误",
           "confidence": "置信度", "findings": "检查结果", "warning": "警告"},
}


# --- JSON -------------------------------------------------------------------------------------

def error_json(trace: Trace | None) -> dict[str, Any] | None:
    if trace is None:
        return None
    final = trace.final
    return {
        "type": final.type,
        "message": final.message,
        "frames": [{"file": f.filename, "line": f.lineno, "function": f.name, "library": f.library}
                   for f in final.frames],
        "rank": trace.rank,
        "chain": [{"type": e.type, "message": e.message} for e in trace.exceptions[:-1]],
        "lines": [trace.start, trace.end],
    }


def fix_json(entry: Entry, index: int, fix: Fix, captures: dict[str, str], lang: Lang) -> dict[str, Any]:
    placeholders = dict(entry.placeholders)
    return {
        "title": fix.title.get(lang),
        "commands": [fill(c, captures, placeholders) for c in fix.commands],
        "change": fill(fix.change, captures, placeholders).strip(),
        "applicability": fix.applicability,
        "verification": fix_verification(entry, index, fix),
    }


def explanation(entry: Entry, lang: Lang, captures: dict[str, str] | None = None) -> str:
    """What happened and why, with the values captured from the user's error filled in."""
    text = "\n\n".join(s for s in (entry.section("What happened", lang), entry.section("Why", lang)) if s)
    return fill(text, captures or {}, dict(entry.placeholders))


def entry_json(entry: Entry, lang: Lang, captures: dict[str, str] | None = None) -> dict[str, Any]:
    captures = captures or {}
    return {
        "id": entry.id,
        "title": entry.title.get(lang),
        "tags": list(entry.tags),
        "explanation": explanation(entry, lang, captures),
        "fix_text": entry.section("Fix", lang),
        "verify_text": entry.section("Verify", lang),
        "fixes": [fix_json(entry, i, f, captures, lang) for i, f in enumerate(entry.fixes)],
        "references": list(entry.references),
        "affected": dict(entry.affected),
    }


def match_json(match: Match, lang: Lang) -> dict[str, Any]:
    data = entry_json(match.entry, lang, dict(match.captures))
    data.update({
        "confidence": match.confidence,
        "evidence": [{"kind": e.kind, "detail": e.detail, "lines": list(e.lines), "tokens": list(e.tokens),
                      "captures": dict(e.captures)} for e in match.evidence],
        "captures": dict(match.captures),
        "scores": dict(match.scores),
        "warnings": list(match.warnings) + warnings_for(match.entry),
    })
    return data


def finding_json(finding: Finding, lang: Lang = "en") -> dict[str, Any]:
    """``summary`` is in ``lang`` (English when the finding has no Chinese summary); ``summary_en`` always English."""
    return {"kind": finding.kind, "subject": finding.subject, "summary": finding.summary_in(lang),
            "summary_en": finding.summary, "facts": {k: _plain(v) for k, v in finding.facts.items()},
            "supports": list(finding.supports), "refutes": list(finding.refutes), "error": finding.error}


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def report_json(report: Report, lang: Lang = "en") -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kbfix_version": __version__,
        "verdict": report.verdict,
        "threshold": THRESHOLD,
        "matches": [match_json(m, lang) for m in report.matches],
        "error": error_json(report.error),
        "findings": [finding_json(f, lang) for f in report.findings],
        "truncated": bool(report.log.truncated) if report.log is not None else False,
        "notes": list(report.notes),
    }


# --- text -------------------------------------------------------------------------------------

class Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line.strip() else line for line in text.strip().split("\n"))


def _error_line(trace: Trace | None) -> str:
    if trace is None:
        return ""
    final = trace.final
    first = final.message.splitlines()[0] if final.message else ""
    where = ""
    lib_frames = [f for f in final.frames if f.library and f.library != "python"]
    frame = lib_frames[-1] if lib_frames else (final.frames[-1] if final.frames else None)
    if frame is not None:
        where = f"  at {frame.filename}:{frame.lineno or '?'} in {frame.name}"
    rank = f"  [rank {trace.rank}]" if trace.rank is not None else ""
    return f"{final.type}: {first[:300]}{rank}{where}"


def render_text(report: Report, lang: Lang = "en", *, color: bool = False, verbose: bool = False) -> str:
    s = Style(color)
    label = LABELS[lang]
    out: list[str] = []
    error = _error_line(report.error)
    if report.verdict == "match" and report.matches:
        best = report.matches[0]
        out.append(s(f"kbfix: {best.entry.title.get(lang)}", "1;32") + f"  [{best.entry.id}]  "
                   + f"{label['confidence']} {best.confidence:.2f}")
        if error:
            out.append(s(f"{label['error']}: {error}", "2"))
        out.append("")
        out.append(_indent(explanation(best.entry, lang, dict(best.captures))))
        out.extend(_fixes_text(best, lang, s))
        out.append(s(label["evidence"], "1"))
        for ev in best.evidence:
            out.append(f"  - [{ev.kind}] {ev.detail}")
        for warning in list(best.warnings) + warnings_for(best.entry):
            out.append(s(f"  ! {label['warning']}: {warning}", "33"))
        others = [m for m in report.matches[1:] if m.confidence >= 0.05]
        if others:
            out.append(s(label["others"], "1") + ": " + ", ".join(f"{m.entry.id} ({m.confidence:.2f})" for m in others))
        if best.entry.references:
            out.append(s(label["refs"], "1") + ": " + " ".join(best.entry.references[:3]))
    else:
        out.append(s(f"kbfix: {label['no_match']}", "1;33") + f" (threshold {THRESHOLD:.2f})")
        if error:
            out.append(s(f"{label['error']}: {error}", "2"))
        weak = [m for m in report.matches if m.confidence >= 0.02]
        if weak:
            out.append(label["nearest"] + ":")
            for m in weak:
                out.append(f"  ? {m.entry.id} ({m.confidence:.2f}): {m.entry.title.get(lang)}")
    if report.findings:
        out.append(s(label["findings"], "1"))
        for finding in report.findings:
            flag = "x" if finding.error else ("!" if finding.supports else "-")
            out.append(f"  {flag} {finding.kind}: {finding.summary_in(lang)}"
                       + (f" (error: {finding.error})" if finding.error else ""))
    for note in report.notes:
        out.append(s(f"note: {note}", "2"))
    if verbose and report.matches:
        out.append("scores: " + ", ".join(f"{m.entry.id}={dict(m.scores)}" for m in report.matches))
    return "\n".join(out).rstrip() + "\n"


def _fixes_text(match: Match, lang: Lang, s: Style) -> list[str]:
    out = [""]
    label = LABELS[lang]
    for i, fix in enumerate(match.entry.fixes):
        data = fix_json(match.entry, i, fix, dict(match.captures), lang)
        tone = {"safe": "32", "unsafe": "31", "display-only": "36"}.get(fix.applicability, "0")
        out.append(s(f"{label['fix']} {i + 1}", "1") + f" ({s(fix.applicability, tone)}): {data['title']}")
        for command in data["commands"]:
            out.append("  $ " + command)
        if data["change"]:
            out.append(_indent(data["change"], "    "))
        verification = data["verification"]
        if verification["kind"] != "none":
            versions = ", ".join(f"{k} {v}" for k, v in verification.get("versions", {}).items())
            out.append(s(f"  {label['verified']}: {verification['kind']}" + (f" ({versions})" if versions else ""), "2"))
        out.append("")
    return out


def render_entry_text(entry: Entry, lang: Lang = "en") -> str:
    lines = [f"{entry.id}: {entry.title.get(lang)}", "tags: " + ", ".join(entry.tags), "", entry.body.get(lang), ""]
    for i, fix in enumerate(entry.fixes):
        data = fix_json(entry, i, fix, {}, lang)
        lines.append(f"Fix {i + 1} ({fix.applicability}, verification: {data['verification']['kind']}): {data['title']}")
        lines.extend("  $ " + c for c in data["commands"])
        if data["change"]:
            lines.append(_indent(data["change"], "    "))
    return "\n".join(lines).rstrip() + "\n"

"""One renderer of a :class:`~kbfix.model.Report`: JSON (one schema), and styled lines that the CLI
writes as plain or ANSI text and the TUI draws as rich ``Text``.

Styled lines are tuples of ``(text, role)`` spans. A role names what a span is ("title", "safe",
"warning" ...), not how it looks: :data:`ANSI` here and ``kbfix.tui.view.STYLE`` map roles to
looks, so every format shows the same words, in the same order, in the user's language. Nothing
here imports rich or the engine.
"""

from __future__ import annotations

import re
from typing import Any

from kbfix import __version__
from kbfix.model import Applicability, Entry, Evidence, Finding, Fix, Lang, Match, Report, Text, Trace, Verdict
from kbfix.versions import fix_verification, warnings_for

SCHEMA_VERSION = 1
Span = tuple[str, str]
Line = tuple[Span, ...]

LABELS: dict[str, dict[str, str]] = {
    "en": {"no_match": "no confident match", "nearest": "nearest candidates (not confident)", "fix": "Fix",
           "evidence": "Evidence", "others": "Other candidates", "refs": "References", "verified": "verified",
           "error": "error", "confidence": "confidence", "findings": "Findings", "warning": "warning",
           "note": "note", "threshold": "threshold", "at": "at", "in": "in", "rank": "rank", "scores": "scores",
           "error_in_finding": "error", "verification": "verification", "check": "check",
           "safe": "safe", "unsafe": "unsafe", "display-only": "display-only", "fixes": "Fixes",
           "reproducer": "reproducer", "check_kind": "check", "none": "none (advice only)",
           "passed": "passed", "failed": "failed", "not_run": "not run yet", "with": "with",
           "no_error": "no error found in the log", "no_problem": "no problems found in the artifacts",
           "advice": "why"},
    "zh": {"no_match": "没有可信的匹配", "nearest": "最接近的候选（置信度不足）", "fix": "修复", "evidence": "证据",
           "others": "其他候选", "refs": "参考", "verified": "已验证", "error": "错误", "confidence": "置信度",
           "findings": "检查结果", "warning": "警告", "note": "注意", "threshold": "阈值", "at": "位于", "in": "函数",
           "rank": "进程", "scores": "分数", "error_in_finding": "错误", "verification": "验证方式", "check": "检查",
           "safe": "安全", "unsafe": "有风险", "display-only": "仅供参考", "fixes": "修复方法",
           "reproducer": "复现脚本", "check_kind": "人工检查", "none": "无（仅为建议）",
           "passed": "通过", "failed": "未通过", "not_run": "尚未运行", "with": "环境",
           "no_error": "日志中没有发现错误", "no_problem": "检查的文件没有发现问题", "advice": "原因"},
}
# role -> ANSI SGR code for the terminal
ANSI = {"title": "1;32", "no-match": "1;33", "heading": "1", "dim": "2", "warning": "33", "error": "31",
        "safe": "32", "unsafe": "31", "display-only": "36", "against": "1;31", "id": "36", "command": "0"}
APPLICABILITY_ROLE = {Applicability.SAFE: "safe", Applicability.UNSAFE: "unsafe",
                      Applicability.DISPLAY_ONLY: "display-only"}


def label(lang: Lang, key: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"][key]


def say(text: Text | str, lang: Lang) -> str:
    """A bilingual text in ``lang`` (a plain string is shown as it is)."""
    return text.get(lang) if isinstance(text, Text) else text


# --- fix templates ----------------------------------------------------------------------------

PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_]\w*)\}")


def fill(template: str, captures: dict[str, str], placeholders: dict[str, str]) -> str:
    """Put captured values into fix text: {name} -> capture, else the entry's placeholder, else <name>.

    A placeholder may itself name captures (``old_use = "from {module} import {name}"``): it is filled the
    same way, one level deep, so a reading that knows better (an attribute of an object, not an import)
    can capture the whole phrase instead."""
    def sub(match: re.Match[str], nested: bool = True) -> str:
        name = match.group(1)
        if captures.get(name):
            return captures[name]
        default = placeholders.get(name)
        if default and PLACEHOLDER_RE.search(default):
            return PLACEHOLDER_RE.sub(lambda inner: sub(inner, nested=False), default) if nested else f"<{name}>"
        return default or f"<{name}>"

    return PLACEHOLDER_RE.sub(sub, template)


def explanation(entry: Entry, lang: Lang, captures: dict[str, str] | None = None) -> str:
    """What happened and why, with the values captured from the user's error filled in."""
    text = "\n\n".join(s for s in (entry.section("What happened", lang), entry.section("Why", lang)) if s)
    return fill(text, captures or {}, dict(entry.placeholders))


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
        "applicability": str(fix.applicability),
        "verification": fix_verification(entry, index, fix),
    }


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


def evidence_json(evidence: Evidence, lang: Lang) -> dict[str, Any]:
    return {"kind": str(evidence.kind), "detail": say(evidence.detail, lang), "lines": list(evidence.lines),
            "tokens": list(evidence.tokens), "captures": dict(evidence.captures)}


def match_json(match: Match, lang: Lang) -> dict[str, Any]:
    data = entry_json(match.entry, lang, dict(match.captures))
    data.update({
        "confidence": match.confidence,
        "evidence": [evidence_json(e, lang) for e in match.evidence],
        "captures": dict(match.captures),
        "scores": dict(match.scores),
        "warnings": warnings(match, lang),
    })
    return data


def warnings(match: Match, lang: Lang) -> list[str]:
    return [say(w, lang) for w in (*match.warnings, *warnings_for(match.entry, match.captures))]


def finding_json(finding: Finding, lang: Lang = "en") -> dict[str, Any]:
    """``summary`` is in ``lang``; ``summary_en`` always English."""
    return {"kind": finding.kind, "subject": finding.subject, "summary": finding.summary.get(lang),
            "summary_en": finding.summary.en, "facts": {k: plain(v) for k, v in finding.facts.items()},
            "supports": list(finding.supports), "refutes": list(finding.refutes), "error": finding.error}


def plain(value: Any) -> Any:
    """JSON-safe: containers kept, anything else that JSON lacks as its string."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return str(value)


def report_json(report: Report, lang: Lang = "en") -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kbfix_version": __version__,
        "verdict": str(report.verdict),
        "threshold": report.threshold,
        "matches": [match_json(m, lang) for m in report.matches],
        "error": error_json(report.error),
        "findings": [finding_json(f, lang) for f in report.findings],
        "truncated": bool(report.log.truncated) if report.log is not None else False,
        "notes": [say(n, lang) for n in report.notes],
        "advice": say(report.advice, lang) if report.advice is not None else None,
        "ruled_out": [{"id": entry_id, "why": why} for entry_id, why in report.ruled_out],
    }


# --- styled lines -----------------------------------------------------------------------------

def error_line(trace: Trace | None, lang: Lang = "en", *, where: bool = True) -> str:
    """The chosen error in one line: type, first message line, rank, and the deepest library frame."""
    if trace is None:
        return ""
    final = trace.final
    first = final.message.splitlines()[0] if final.message else ""
    rank = f"  [{label(lang, 'rank')} {trace.rank}]" if trace.rank is not None else ""
    place = ""
    lib_frames = [f for f in final.frames if f.library and f.library != "python"]
    frame = lib_frames[-1] if lib_frames else (final.frames[-1] if final.frames else None)
    if where and frame is not None:
        place = f"  {label(lang, 'at')} {frame.filename}:{frame.lineno or '?'} {label(lang, 'in')} {frame.name}"
    head = f"{final.type}: " if final.type else ""
    return f"{head}{first[:300]}{rank}{place}"


def verification_line(verification: dict[str, Any], lang: Lang) -> Line:
    kind = verification.get("kind", "none")
    if kind == "none":
        return ((f"{label(lang, 'verification')}: {label(lang, 'none')}", "dim"),)
    spans: list[Span] = [(f"{label(lang, 'verification')}: ", "dim"),
                         (label(lang, "check_kind" if kind == "check" else kind), "heading")]
    passed = verification.get("passed")
    if passed is True:
        spans.append((f" ✔ {label(lang, 'passed')}", "safe"))
    elif passed is False:
        spans.append((f" ✘ {label(lang, 'failed')}", "error"))
    else:
        spans.append((f" ({label(lang, 'not_run')})", "dim"))
    versions = ", ".join(f"{k} {v}" for k, v in verification.get("versions", {}).items())
    if versions:
        spans.append((f" {label(lang, 'with')} {versions}", "dim"))
    return tuple(spans)


def fix_lines(number: int, data: dict[str, Any], lang: Lang, *, indent: str = "") -> list[Line]:
    """One fix: number, applicability, title, commands, change, verification and its check."""
    applicability = Applicability(data["applicability"])
    lines: list[Line] = [((f"{indent}{number}. ", "heading"),
                          (f"[{label(lang, str(applicability))}]", APPLICABILITY_ROLE[applicability]),
                          (" " + data["title"], "heading"))]
    for command in data["commands"]:
        first, *rest = command.split("\n")
        lines.append(((f"{indent}  $ ", "dim"), (first, "command")))
        lines += [((f"{indent}    ", ""), (line, "command")) for line in rest]
    lines += [((f"{indent}    {line}", ""),) for line in data["change"].split("\n") if data["change"]]
    lines.append(((f"{indent}  ", ""),) + verification_line(data["verification"], lang))
    if data["verification"].get("check"):
        lines.append(((f"{indent}  {label(lang, 'check')}: {data['verification']['check']}", "dim"),))
    return lines


def evidence_lines(match: Match, lang: Lang) -> list[Line]:
    return [((f"• {e.kind}: ", "against" if e.weight < 0 else "heading"), (say(e.detail, lang), ""))
            for e in match.evidence]


def finding_line(finding: Finding, lang: Lang) -> Line:
    summary = finding.summary.get(lang)
    subject = (f"  [{finding.subject}]", "dim")
    if finding.error:
        return (("✘ ", "against"), (f"{finding.kind}: ", "heading"), (summary, ""),
                (f" ({label(lang, 'error_in_finding')}: {finding.error})", "error"), subject)
    flag = ("! ", "warning") if finding.supports else ("✔ ", "safe") if finding.refutes else ("- ", "dim")
    return (flag, (f"{finding.kind}: ", "heading"), (summary, ""), subject)


def _indented(text: str, prefix: str = "  ") -> list[Line]:
    return [(((prefix + line) if line.strip() else line, ""),) for line in text.strip().split("\n")]


def report_lines(report: Report, lang: Lang = "en", *, verbose: bool = False) -> list[Line]:
    """The whole report as the terminal shows it."""
    out: list[Line] = []
    error = error_line(report.error, lang)
    if report.verdict == Verdict.NO_ERROR:
        out.append(((f"kbfix: {label(lang, 'no_error' if report.log is not None else 'no_problem')}", "title"),))
        if report.advice is not None:
            out.append(((f"{label(lang, 'advice')}: ", "heading"), (say(report.advice, lang), "")))
    elif report.verdict == Verdict.MATCH and report.matches:
        best = report.matches[0]
        data = match_json(best, lang)
        out.append(((f"kbfix: {data['title']}", "title"), (f"  [{best.entry.id}]  ", ""),
                    (f"{label(lang, 'confidence')} {best.confidence:.2f}", "")))
        if error:
            out.append(((f"{label(lang, 'error')}: {error}", "dim"),))
        out.append(())
        out += _indented(data["explanation"])
        out.append(())
        out.append(((label(lang, "fixes"), "heading"),))
        for i, fix in enumerate(data["fixes"]):
            out += fix_lines(i + 1, fix, lang, indent="  ")
            out.append(())
        out.append(((label(lang, "evidence"), "heading"),))
        out += [((f"  - [{e.kind}] {say(e.detail, lang)}", ""),) for e in best.evidence]
        out += [((f"  ! {label(lang, 'warning')}: {w}", "warning"),) for w in data["warnings"]]
        others = [m for m in report.matches[1:] if m.confidence >= 0.05]
        if others:
            out.append(((label(lang, "others"), "heading"),
                        (": " + ", ".join(f"{m.entry.id} ({m.confidence:.2f})" for m in others), "")))
        if best.entry.references:
            out.append(((label(lang, "refs"), "heading"), (": " + " ".join(best.entry.references[:3]), "")))
    else:
        out.append(((f"kbfix: {label(lang, 'no_match')}", "no-match"),
                    (f" ({label(lang, 'threshold')} {report.threshold:.2f})", "")))
        if error:
            out.append(((f"{label(lang, 'error')}: {error}", "dim"),))
        if report.advice is not None:
            out.append(((f"{label(lang, 'advice')}: ", "heading"), (say(report.advice, lang), "")))
        weak = [m for m in report.matches if m.confidence >= 0.02]
        if weak:
            out.append(((label(lang, "nearest") + ":", ""),))
            out += [((f"  ? {m.entry.id} ({m.confidence:.2f}): {m.entry.title.get(lang)}", ""),) for m in weak]
    if report.findings:
        out.append(((label(lang, "findings"), "heading"),))
        out += [(("  ", ""),) + finding_line(f, lang) for f in report.findings]
    out += [((f"{label(lang, 'note')}: {say(n, lang)}", "dim"),) for n in report.notes]
    if verbose and report.matches:
        out.append(((f"{label(lang, 'scores')}: " + ", ".join(f"{m.entry.id}={dict(m.scores)}"
                                                                for m in report.matches), ""),))
    return out


def to_text(lines: list[Line], *, color: bool = False) -> str:
    """Styled lines as terminal text: ANSI colours when ``color``, plain otherwise."""
    out = []
    for line in lines:
        parts = []
        for text, role in line:
            code = ANSI.get(role)
            parts.append(f"\x1b[{code}m{text}\x1b[0m" if color and code and text else text)
        out.append("".join(parts))
    return "\n".join(out).rstrip() + "\n"


def render_text(report: Report, lang: Lang = "en", *, color: bool = False, verbose: bool = False) -> str:
    return to_text(report_lines(report, lang, verbose=verbose), color=color)


def entry_lines(entry: Entry, lang: Lang = "en") -> list[Line]:
    lines: list[Line] = [((f"{entry.id}: {entry.title.get(lang)}", "heading"),),
                         (("tags: " + ", ".join(entry.tags), "dim"),), ()]
    lines += [((line, ""),) for line in entry.body.get(lang).split("\n")]
    lines.append(())
    for i, fix in enumerate(entry.fixes):
        lines += fix_lines(i + 1, fix_json(entry, i, fix, {}, lang), lang)
    return lines


def render_entry_text(entry: Entry, lang: Lang = "en") -> str:
    return to_text(entry_lines(entry, lang))

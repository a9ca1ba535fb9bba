"""How well kbfix answers real version-skew reports: the right entry, confidently, and a fix that names
the right package with a bound that agrees with the one the thread settled on.

    python scripts/evaluate_skew.py            # held-out reports and corpus cases, with timing
    python scripts/evaluate_skew.py --misses   # also each corpus case that misses (never the held-out texts)

Sets, reported separately:

- ``held-out``: the rows of ``scripts/eval/real/LABELS.jsonl`` whose ``skew`` field is not empty (real
  reports never used to write a signature or fit anything);
- ``corpus``: the real skew reports kept as corpus cases, labelled in ``scripts/skew_labels.jsonl`` (the
  ``# skew:`` line collected with each report; the case file keeps only the paste).

A ``skew`` label reads ``library=...; symbol=...; caller=...; installed=...; fix=...``; its ``fix=`` part is
the pip command the thread settled on (or ``none`` when the fix was a code change). Figures:

- named: the gold entry is first with a confident verdict (over all reports of the set);
- library: a ``pip install`` command among the fixes of kbfix's confident answer names a package of the
  thread's fix (over reports whose fix is a pip command);
- bound: that command also goes the same way (upgrade / hold back) and its specifier agrees with the
  thread's (the two ranges share a release: ``transformers<4.50`` agrees with ``transformers==4.38.2``);
- timing: warm wall time of ``kbfix.diagnose`` for the reports whose answer used the API history (target:
  under 50 ms each).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbfix import diagnose  # noqa: E402
from kbfix.model import EvidenceKind  # noqa: E402
from kbfix.render import match_json  # noqa: E402

HELD_OUT = ROOT / "scripts" / "eval" / "real"
CORPUS_LABELS = ROOT / "scripts" / "skew_labels.jsonl"
WARM_LIMIT_MS = 50.0
PIP_RE = re.compile(r"pip3?\s+install\s+(?P<args>[^;\n()]*)")
GIT_RE = re.compile(r"git\+https?://[^\s\"']*?/(?P<name>[\w.\-]+?)(?:\.git)?(?:@(?P<ref>[\w.\-]+))?(?:[\s\"']|$)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def skew_fields(text: str) -> dict[str, str]:
    """``library=a; fix=pip install "x<1" (or ...)`` -> {"library": ..., "fix": ...}; fix runs to the end."""
    fields: dict[str, str] = {}
    head, sep, fix = text.partition("fix=")
    for part in head.split(";"):
        key, eq, value = part.partition("=")
        if eq:
            fields[key.strip()] = value.strip()
    if sep:
        fields["fix"] = fix.strip()
    return fields


def requirements(command_text: str) -> list[tuple[str, str, bool]]:
    """(package, specifier, upgrade flag) for each package a pip command line installs."""
    from packaging.requirements import InvalidRequirement, Requirement

    out = []
    for m in PIP_RE.finditer(command_text):
        args = m.group("args")
        try:
            tokens = shlex.split(args)
        except ValueError:
            tokens = args.replace('"', " ").replace("'", " ").split()
        upgrade = any(t in ("-U", "--upgrade") for t in tokens)
        for token in tokens:
            if token.startswith("-") or token.startswith("<"):
                continue
            git = GIT_RE.search(token + " ")
            if git:
                out.append((canonical(git.group("name")), "" if not git.group("ref") else "@" + git.group("ref"), True))
                continue
            try:
                req = Requirement(token)
            except InvalidRequirement:
                continue
            out.append((canonical(req.name), str(req.specifier), upgrade))
    return out


def direction(spec: str, upgrade: bool) -> str:
    if spec.startswith("@"):
        return "exact"
    ops = re.findall(r"(<=|>=|==|!=|~=|<|>)", spec)
    below, above = any(op in ("<", "<=") for op in ops), any(op in (">", ">=") for op in ops)
    if below and above:
        return "range"
    if below:
        return "down"
    if any(op in ("==", "~=") for op in ops):
        return "exact"
    return "up" if upgrade or any(op in (">", ">=") for op in ops) or not ops else "range"


def agree(gold: tuple[str, str, bool], ours: tuple[str, str, bool]) -> bool:
    """Same package; the same way (an upgrade against a hold-back disagrees); ranges that share a release."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    package, gold_spec, gold_up = gold
    _, our_spec, our_up = ours
    gold_way, our_way = direction(gold_spec, gold_up), direction(our_spec, our_up)
    if "up" in (gold_way, our_way) and "down" in (gold_way, our_way):
        return False
    if not gold_spec or gold_spec.startswith("@") or not our_spec:
        return gold_way not in ("down",) and our_way not in ("down",) if not our_spec else True
    try:
        gold_set, our_set = SpecifierSet(gold_spec), SpecifierSet(our_spec)
    except InvalidSpecifier:
        return False
    from kbfix import apihistory

    candidates = set(apihistory.releases(package) or apihistory.releases(package.replace("-", "_")))
    # the bounds themselves, with their post / dev / pre-release tails (flash-attn's 2.7.0.post2), and a release below
    # every bound (two upper bounds overlap: `<2.7` and `<=2.7.4.post1`), for a package the history does not cover
    candidates |= set(re.findall(r"\d+(?:\.\d+)+(?:\.?(?:post|dev|rc|a|b)\d*)?", gold_spec + " " + our_spec))
    candidates.add("0.0.1")
    for text in candidates:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        for probe in (version, Version(f"{text}.999") if text.count(".") == 1 else version):
            if gold_set.contains(probe, prereleases=True) and our_set.contains(probe, prereleases=True):
                return True
    return False


def load_held_out() -> list[dict]:
    rows = []
    labels = HELD_OUT / "LABELS.jsonl"
    if not labels.exists():
        return rows
    for line in labels.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row.get("skew"):
            continue
        text = (HELD_OUT / row["file"]).read_text(encoding="utf-8", errors="replace")
        if text.startswith("# source:"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        kind, _, rest = row["label"].partition(":")
        gold = rest.split(":")[0] if kind == "new" else (row["label"] if not rest else None)
        rows.append({"name": row["file"], "text": text, "gold": gold, "skew": row["skew"]})  # "a|b": either
    return rows


def load_corpus() -> list[dict]:
    rows = []
    for line in CORPUS_LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        path = ROOT / row["case"]
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("# source:"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        rows.append({"name": row["case"], "text": text, "gold": path.parent.parent.name, "skew": row["skew"]})
    return rows


def judge(row: dict) -> dict:
    report = diagnose(row["text"])
    best = report.best
    named = best is not None and best.entry.id in (row["gold"] or "").split("|")
    gold_reqs = requirements(skew_fields(row["skew"]).get("fix", ""))
    ours = []
    if best is not None:
        for fix in match_json(best, "en")["fixes"]:
            for command in fix["commands"]:
                ours += requirements(command)
    gold_packages = {g[0] for g in gold_reqs}
    library = bool(gold_reqs) and any(o[0] in gold_packages for o in ours)
    bound = bool(gold_reqs) and any(agree(g, o) for g in gold_reqs for o in ours if o[0] == g[0])
    used_history = best is not None and any(e.kind == EvidenceKind.VERSION for e in best.evidence)
    return {**row, "named": named, "has_pip": bool(gold_reqs), "library": library, "bound": bound,
            "history": used_history, "answer": best.entry.id if best else f"({report.verdict})",
            "ours": ours, "gold_reqs": gold_reqs}


def timing(rows: list[dict]) -> list[float]:
    """Warm wall time (ms) of a diagnosis, for the reports whose answer used the API history."""
    out = []
    for row in rows:
        if not row["history"]:
            continue
        diagnose(row["text"])  # warm: histories and the engine are loaded
        start = time.perf_counter()
        diagnose(row["text"])
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, rows: list[dict], show_misses: bool) -> None:
    results = [judge(r) for r in rows]
    n = len(results)
    pip = [r for r in results if r["has_pip"]]
    named = sum(r["named"] for r in results)
    print(f"\n== {name}: {n} version-skew reports ({len(pip)} with a pip fix in the thread)")
    if not n:
        return
    print(f"  named right, confident:   {named}/{n} ({named / n:.0%})")
    if pip:
        library = sum(r["library"] for r in pip)
        bound = sum(r["bound"] for r in pip)
        print(f"  library in the fix right: {library}/{len(pip)} ({library / len(pip):.0%})")
        print(f"  bound agrees with thread: {bound}/{len(pip)} ({bound / len(pip):.0%})")
    times = timing(results)
    if times:
        slow = sum(t > WARM_LIMIT_MS for t in times)
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"  warm diagnosis using the API history: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
              f"max {times[-1]:.1f} ms; {slow}/{len(times)} over {WARM_LIMIT_MS:.0f} ms")
    if show_misses:
        for r in results:
            if not r["named"] or (r["has_pip"] and not r["bound"]):
                print(f"  MISS {r['name']}: gold {r['gold']}, answer {r['answer']}; thread {r['gold_reqs']}; ours {r['ours']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the corpus cases that miss (held-out texts stay unseen)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    diagnose("RuntimeError: warm-up")
    report("held-out (scripts/eval/real, skew labels)", load_held_out(), show_misses=False)
    report("corpus (real skew cases, scripts/skew_labels.jsonl)", load_corpus(), show_misses=args.misses)
    print(f"\n({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

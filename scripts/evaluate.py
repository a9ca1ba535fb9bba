"""Accuracy of kbfix on labelled error reports it was never built from.

    python scripts/evaluate.py                      # every held-out set, hybrid ranking
    python scripts/evaluate.py --set real --misses  # the real held-out reports, with each miss
    python scripts/evaluate.py --set cases --variants   # also each component alone and blinded
    python scripts/evaluate.py --set real --paste-forms # the paste transformations (kbfix/pastes.py)

Sets (folders under ``scripts/eval/``):

- ``real``: real user reports from public threads (``# source:`` line, the user's paste as it
  was), held out by thread: never a corpus case, never used to write a signature, fit the encoder
  or the calibration. Labels are in ``LABELS.jsonl``: an entry id, ``new:<id>`` (a cause the corpus
  may not know yet: in scope once an entry of that id exists), ``lookalike:<id>:<cause>`` (looks
  like an entry, has another cause) or ``none:<cause>`` (not a fine-tuning error); ``a|b`` when an
  entry written after the label names the same cause more specifically (either is right; the note says so);
- ``cases``: texts written for evaluation (``<entry-id>__<variant>.txt``, ``none__`` out of scope);
- ``blind``: the same, written from entry titles and descriptions only;
- ``titles``: real issue titles (``titles/TITLES.jsonl``: title, label, source, why), from threads
  used nowhere else: a short description a user typed, English or Chinese. Their figure is top3.

Figures (each over its own denominator):

- right: in-scope reports whose gold entry is ranked first with a confident verdict;
- top3: in-scope reports whose gold entry is among the first three candidates (confident or not);
- wrong: confident answers that name another entry, over all confident answers;
- refused (unrelated / unknown fine-tuning): out-of-scope reports answered "no confident match".

A report labelled with 0.1's generic ``library-version-incompatible`` is in scope: any entry tagged
``version-skew`` (the entries that entry was split into) is its gold.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from kbfix import traceback as tb
from kbfix.engine import build_engine, calibration
from kbfix.engine.calibration import VARIANTS
from kbfix.engine.tuning import TuningScorer

EVAL = Path(__file__).resolve().parent / "eval"
SETS = ("real", "cases", "blind", "titles")
SEEDS = ("jax-params-dict-key-mismatch", "no-trainable-parameters", "checkpoint-missing-keys-incomplete",
         "checkpoint-size-mismatch-wrong-architecture", "peft-lora-on-tied-lm-head")


def load_titles(folder: Path, known: set[str]) -> list[dict]:
    """Real issue titles as texts; a label the corpus does not know counts as out of scope."""
    items = []
    for n, line in enumerate((folder / "TITLES.jsonl").read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        gold = row["label"] if row["label"] in known else None
        scope = "in" if gold else "unrelated" if row["label"] == "none" else "unknown"
        items.append({"name": f"title {n + 1}: {row['title'][:60]}", "text": row["title"], "gold": gold,
                      "scope": scope, "label": row["label"], "forms": [], "skew": ""})
    return items


SPLIT_ENTRY = "library-version-incompatible"  # any entry tagged version-skew answers a report labelled so


def is_gold(gold: str | frozenset | None, entry_id: str) -> bool:
    return entry_id in gold if isinstance(gold, frozenset) else entry_id == gold


def load_set(folder: Path, known: set[str], skew_entries: frozenset = frozenset()) -> list[dict]:
    """Labelled texts: name, text, gold (an entry id or None), scope, forms."""
    if (folder / "TITLES.jsonl").exists():
        return load_titles(folder, known)
    labels = {}
    if (folder / "LABELS.jsonl").exists():
        for line in (folder / "LABELS.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labels[row["file"]] = row
    items = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("# source:"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        row = labels.get(path.name, {"label": path.name.split("__", 1)[0], "form": ""})
        label = row["label"]
        kind, _, rest = label.partition(":")
        entry = rest.split(":")[0] if kind == "new" else label if not rest else None
        either = frozenset(label.split("|")) if "|" in label else frozenset()
        if either and either <= known:  # a cause an entry written after the label names more specifically: both right
            scope, gold = "in", either
        elif entry in known:
            scope, gold = "in", entry
        elif entry == SPLIT_ENTRY and skew_entries:  # 0.1's generic entry, split by the version-skew issue
            scope, gold = "in", skew_entries
        elif kind in ("none",) or label == "none":
            scope, gold = "unrelated", None
        else:
            scope, gold = "unknown", None  # a fine-tuning cause the corpus does not know (or a look-alike)
        forms = [f.strip() for f in row.get("form", "").split(",") if f.strip()]
        items.append({"name": path.name, "text": text, "gold": gold, "scope": scope, "label": label,
                      "forms": forms, "skew": row.get("skew", "")})
    return items


def run(engine, items: list[dict], scorer=None) -> list[dict]:
    results = []
    for item in items:
        report = engine.rank(tb.parse(item["text"]), top=3, scorer=scorer) if scorer else engine.diagnose(tb.parse(item["text"]))
        ids = [m.entry.id for m in report.matches]
        results.append({**item, "confident": report.verdict == "match", "ids": ids,
                        "conf": report.matches[0].confidence if report.matches else 0.0,
                        "verdict": str(report.verdict)})
    return results


def figures(results: list[dict]) -> dict:
    in_scope = [r for r in results if r["scope"] == "in"]
    confident = [r for r in results if r["confident"]]
    right = [r for r in in_scope if r["confident"] and is_gold(r["gold"], r["ids"][0])]
    wrong = [r for r in confident if r["scope"] != "in" or not is_gold(r["gold"], r["ids"][0])]
    out = {"in_scope": len(in_scope), "right": _share(len(right), len(in_scope)),
           "top3": _share(sum(any(is_gold(r["gold"], i) for i in r["ids"][:3]) for r in in_scope), len(in_scope)),
           "confident": len(confident), "wrong_of_confident": _share(len(wrong), len(confident))}
    for scope in ("unrelated", "unknown"):
        pool = [r for r in results if r["scope"] == scope]
        out[f"{scope}"] = len(pool)
        out[f"refused_{scope}"] = _share(sum(not r["confident"] for r in pool), len(pool))
    return out


def _share(n: int, d: int) -> float | None:
    return round(n / d, 3) if d else None


def misses(results: list[dict]) -> list[str]:
    out = []
    for r in results:
        best = f"{r['ids'][0]} ({r['conf']:.2f})" if r["ids"] else "-"
        if r["scope"] == "in" and not (r["confident"] and is_gold(r["gold"], r["ids"][0])):
            far = "" if any(is_gold(r["gold"], i) for i in r["ids"][:3]) else f" [not in top 3: {', '.join(r['ids'][:3])}]"
            out.append(f"{'WRONG ' if r['confident'] else 'missed'} {r['name']}: gold {r['gold']}, got {best}{far}")
        elif r["scope"] != "in" and r["confident"]:
            out.append(f"FALSE  {r['name']} [{r['label'][:60]}]: got {best}")
    return out


def table(rows: dict[str, dict]) -> str:
    keys = ("in_scope", "right", "top3", "wrong_of_confident", "unrelated", "refused_unrelated", "unknown",
            "refused_unknown")
    lines = [f"{'':<34}" + "".join(f"{k[:14]:>15}" for k in keys)]
    for name, data in rows.items():
        lines.append(f"{name[:34]:<34}" + "".join(f"{'-' if data.get(k) is None else data[k]:>15}" for k in keys))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=SETS, action="append", help="which held-out sets (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--misses", action="store_true", help="list every miss, false alarm and wrong answer")
    parser.add_argument("--variants", action="store_true", help="also each component alone and blinded hybrids")
    parser.add_argument("--paste-forms", action="store_true",
                        help="apply every paste transformation (kbfix.pastes) to the in-scope reports")
    args = parser.parse_args()
    engine = build_engine()
    known = set(engine.by_id)
    skew_entries = frozenset(e.id for e in engine.entries if "version-skew" in e.tags)
    report: dict[str, dict] = {}
    for name in args.set or SETS:
        items = load_set(EVAL / name, known, skew_entries)
        results = run(engine, items)
        rows = {"hybrid": figures(results)}
        if name == "real":
            for seed in SEEDS:
                rows[f"seed {seed}"] = figures([r for r in results if r["gold"] == seed])
            by_form = defaultdict(list)
            for r in results:
                for form in r["forms"]:
                    by_form[form].append(r)
            for form, pool in sorted(by_form.items()):
                if len(pool) >= 5:
                    rows[f"form {form}"] = figures(pool)
        if args.variants:
            for variant in VARIANTS:
                scorer = TuningScorer.like(engine.scorer, calibration=calibration.load(variant))
                rows[f"{variant} alone"] = figures(run(engine, items, scorer))
            for label, blind in (("signatures blinded", {"sig"}), ("no dense", {"dense", "dense_gap"})):
                scorer = TuningScorer.like(engine.scorer, blind=frozenset(blind))
                rows[f"hybrid, {label}"] = figures(run(engine, items, scorer))
        if args.paste_forms:
            from kbfix import pastes

            in_scope = [i for i in items if i["scope"] == "in"]
            for form in pastes.TRANSFORMS:
                varied = [{**i, "text": t} for i in in_scope if (t := pastes.apply(form, i["text"])) is not None]
                rows[f"paste {form}"] = figures(run(engine, varied))
        print(f"\n== {name}: {len(items)} labelled texts, {len(engine.entries)} entries")
        print(table(rows))
        if args.misses:
            print("\n".join(misses(results)))
        report[name] = {"figures": rows, "misses": misses(results)}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

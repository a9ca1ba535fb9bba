"""Accuracy of kbfix on labelled tracebacks it was never built from.

    python scripts/evaluate.py [--cases scripts/eval/cases] [--json out.json] [--misses]
    python scripts/evaluate.py --cases scripts/eval/blind      # written without seeing any signature

Each file in the folder is named ``<entry-id>__<variant>.txt`` (the root cause it shows) or
``none__<variant>.txt`` (out of scope: kbfix must abstain). None of them is a corpus case, nor used
to train the encoder or the calibration. Reported for the hybrid ranking and for each component
alone (signatures only, lexical only, dense only, each with its own calibration):

- top1: in-scope texts whose gold entry is ranked first with a confident verdict;
- top3: in-scope texts whose gold entry is among the first three candidates (confident or not);
- wrong: in-scope texts confidently diagnosed as another entry (the costly error);
- missed: in-scope texts with no confident match;
- abstain: out-of-scope texts correctly answered "no_match";
- false_alarm: out-of-scope texts forced onto an entry.

Two more rows use the hybrid calibration with a component switched off: "signatures blinded"
(as if every text used a wording no signature knows: lexical and dense must carry it) and "no dense"
(what the dense stage adds on top of signatures and lexical).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kbfix import traceback as tb
from kbfix.engine import build_engine, calibration
from kbfix.engine.calibration import VARIANTS
from kbfix.engine.tuning import TuningScorer

DEFAULT_CASES = Path(__file__).resolve().parent / "eval" / "cases"


def load_cases(folder: Path, known: set[str], keep_unknown: bool = False) -> tuple[list[tuple[str, str, str]], list[str]]:
    cases, skipped = [], []
    for path in sorted(folder.glob("*.txt")):
        gold = path.name.split("__", 1)[0]
        if gold != "none" and gold not in known and not keep_unknown:
            skipped.append(path.name)
            continue
        cases.append((path.name, gold, path.read_text(encoding="utf-8", errors="replace")))
    return cases, skipped


def evaluate(engine, cases, variant: str, blind: frozenset[str] = frozenset()) -> tuple[dict, list[str]]:
    scorer = TuningScorer.like(engine.scorer, calibration=calibration.load(variant), blind=blind)
    counts = dict(top1=0, top3=0, wrong=0, missed=0, abstain=0, false_alarm=0, in_scope=0, out_of_scope=0)
    misses = []
    for name, gold, text in cases:
        report = engine.rank(tb.parse(text), top=3, scorer=scorer)
        ids = [m.entry.id for m in report.matches]
        confident = report.verdict == "match"
        if gold == "none":
            counts["out_of_scope"] += 1
            counts["abstain" if not confident else "false_alarm"] += 1
            if confident:
                misses.append(f"false alarm  {name}: {ids[0]} ({report.matches[0].confidence:.2f})")
            continue
        counts["in_scope"] += 1
        counts["top3"] += int(gold in ids[:3])
        if confident and ids[0] == gold:
            counts["top1"] += 1
        elif confident:
            counts["wrong"] += 1
            misses.append(f"WRONG        {name}: {ids[0]} ({report.matches[0].confidence:.2f})")
        else:
            counts["missed"] += 1
            best = f"{ids[0]} ({report.matches[0].confidence:.2f})" if ids else "-"
            misses.append(f"missed       {name}: best {best}")
    n_in, n_out = max(counts["in_scope"], 1), max(counts["out_of_scope"], 1)
    rates = {
        "top1": counts["top1"] / n_in, "top3": counts["top3"] / n_in, "wrong": counts["wrong"] / n_in,
        "missed": counts["missed"] / n_in, "abstain": counts["abstain"] / n_out,
        "false_alarm": counts["false_alarm"] / n_out,
    }
    return {"counts": counts, "rates": {k: round(v, 3) for k, v in rates.items()}}, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--misses", action="store_true", help="list every miss of the hybrid")
    parser.add_argument("--keep-unknown", action="store_true",
                        help="count texts of entries missing from the corpus (KBFIX_CORPUS) as in scope: "
                             "compares a smaller corpus against the same labelled set")
    args = parser.parse_args()
    engine = build_engine()
    cases, skipped = load_cases(args.cases, set(engine.by_id), args.keep_unknown)
    results = {}
    hybrid_misses: list[str] = []
    for variant in VARIANTS:
        results[variant], misses = evaluate(engine, cases, variant)
        if variant == "hybrid":
            hybrid_misses = misses
    # Unseen wording: no signature fires. Lexical + dense fused must beat each alone.
    results["hybrid, signatures blinded"], _ = evaluate(engine, cases, "hybrid", frozenset({"sig"}))
    results["hybrid, no dense"], _ = evaluate(engine, cases, "hybrid", frozenset({"dense", "dense_gap"}))
    results["hybrid, sig blinded, no dense"], _ = evaluate(engine, cases, "hybrid", frozenset({"sig", "dense", "dense_gap"}))
    print(f"{len(cases)} labelled texts ({results['hybrid']['counts']['in_scope']} in scope, "
          f"{results['hybrid']['counts']['out_of_scope']} out of scope), {len(engine.entries)} entries"
          + (f"; {len(skipped)} skipped (entry not in corpus)" if skipped else ""))
    header = f"{'variant':<28}" + "".join(f"{k:>12}" for k in ("top1", "top3", "wrong", "missed", "abstain", "false_alarm"))
    print(header)
    for variant, data in results.items():
        print(f"{variant:<28}" + "".join(f"{data['rates'][k]:>12.3f}" for k in
                                         ("top1", "top3", "wrong", "missed", "abstain", "false_alarm")))
    if args.misses:
        print("\n".join(hybrid_misses))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "misses": hybrid_misses, "skipped": skipped}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

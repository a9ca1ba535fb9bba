"""Verification run: execute every reproducer and write each entry's ``verified.json``.

    python scripts/verify.py [ID ...]

For each entry and each of its fixes, records how the fix was verified and with which library
versions. A fix with ``verification = "reproducer"`` passes when the reproducer raised the real error,
kbfix named this entry first with a confident verdict, the fix index is in the reproducer's FIXES, and
``fixed()`` ran clean. ``check`` fixes are recorded with the check text (verified by a config or
introspection check, not here). The JSON output of ``kbfix diagnose`` and ``kbfix corpus show``
carries these records, and kbfix warns when installed versions differ from them.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

from kbfix import corpus as corpus_mod
from kbfix import traceback as tb
from kbfix.engine import build_engine
from kbfix.reproduce import run
from kbfix.versions import installed

def versions(modules: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of the libraries a reproducer used (its REQUIRES), by distribution name."""
    return {m: v for m in modules if (v := installed(m))}


def verify_entry(engine, entry) -> dict:
    folder = Path(entry.path)
    today = datetime.date.today().isoformat()
    record = {"entry": entry.id, "generated_by": "scripts/verify.py", "fixes": []}
    outcome = None
    used: tuple[str, ...] = ()
    if (folder / "reproduce.py").exists():
        outcome = run(folder)
        if outcome.missing:
            record["reproducer"] = {"skipped": f"missing {', '.join(outcome.missing)}"}
        else:
            used = outcome.requires
            report = engine.diagnose(tb.parse(outcome.error_text))
            top = report.matches[0] if report.matches else None
            diagnosed = report.verdict == "match" and top is not None and top.entry.id == entry.id
            record["reproducer"] = {
                "raised": outcome.raised, "diagnosed": diagnosed,
                "top": top.entry.id if top else None, "confidence": top.confidence if top else 0.0,
                "fixed_clean": not outcome.fixed_error, "fixes": list(outcome.fixes),
            }
    for index, fix in enumerate(entry.fixes):
        item = {"index": index, "kind": str(fix.verification), "date": today,
                "versions": versions(used) if fix.verification == "reproducer" else {}}
        if fix.verification == "reproducer":
            rep = record.get("reproducer", {})
            item["passed"] = bool(rep.get("diagnosed") and rep.get("fixed_clean") and index in rep.get("fixes", []))
        elif fix.verification == "check":
            item["check"] = fix.check
            item["passed"] = None
        else:
            item["passed"] = None
        record["fixes"].append(item)
    return record


def main(ids: list[str]) -> int:
    corpus = corpus_mod.load(strict=False, validate=True)
    engine = build_engine()
    failed = []
    for entry in corpus.entries:
        if ids and entry.id not in ids:
            continue
        record = verify_entry(engine, entry)
        (Path(entry.path) / "verified.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        bad = [f["index"] for f in record["fixes"] if f["kind"] == "reproducer" and not f["passed"]]
        status = "ok" if not bad else f"FAILED fixes {bad}"
        print(f"{entry.id:<50} {status}  {record.get('reproducer', {})}")
        if bad:
            failed.append(entry.id)
    print(f"{len(failed)} entr{'y' if len(failed) == 1 else 'ies'} with failing reproducer fixes: {failed}" if failed else "all reproducer-verified fixes pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run one or more entries' reproducers and show what kbfix makes of the output.

    python scripts/run_reproducer.py no-trainable-parameters [ID ...]
"""

import sys
from pathlib import Path

from kbfix.corpus import default_root
from kbfix.reproduce import run


def main(ids: list[str]) -> int:
    root = default_root()
    status = 0
    for entry_id in ids:
        outcome = run(Path(root) / entry_id)
        print(f"=== {entry_id}")
        if outcome.missing:
            print(f"skipped: missing {', '.join(outcome.missing)}")
            continue
        print(outcome.error_text.rstrip() or "(reproduce() neither raised nor returned output)")
        try:
            import kbfix

            report = kbfix.diagnose(outcome.error_text)
            top = report.matches[0] if report.matches else None
            print(f"--> verdict={report.verdict} top={top.entry.id if top else None} "
                  f"confidence={top.confidence if top else 0:.2f}")
        except (ImportError, AttributeError) as exc:
            print(f"--> (engine not available yet: {exc})")
        if outcome.fixed_error:
            print("fixed() raised:\n" + outcome.fixed_error)
            status = 1
        else:
            print("fixed(): ran clean" + (f"; output: {outcome.fixed_text[:300]!r}" if outcome.fixed_text else ""))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

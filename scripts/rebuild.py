"""Rebuild everything derived from the corpus, in order, after any corpus change.

    python scripts/rebuild.py [--skip-verify] [--no-overlays]

1. ``kbfix corpus check``: stop on any problem;
2. ``scripts/build_encoder.py``: the bundled encoder (``kbfix/encoder/``, BUILD.json records the corpus hash);
3. ``scripts/calibrate.py``: ``kbfix/engine/calibration.json`` (records the corpus hash);
4. ``scripts/verify.py --overlays``: every reproducer, each entry's ``verified.json`` (``--skip-verify`` leaves
   them); a reproducer that needs releases this environment lacks is verified again with its ``OVERLAY``
   releases installed aside (pip downloads them once; ``--no-overlays`` leaves such entries failed);
5. ``scripts/evaluate.py``: prints the held-out numbers.

``tests/test_derived.py`` fails when the shipped encoder or calibration was built from another
corpus than the one in the tree, so a forgotten step shows in CI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def step(name: str, command: list[str]) -> None:
    start = time.time()
    print(f"== {name}: {' '.join(command)}", flush=True)
    subprocess.run(command, check=True, cwd=HERE.parent)
    print(f"== {name}: done in {time.time() - start:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-verify", action="store_true", help="do not run the reproducers")
    parser.add_argument("--no-overlays", action="store_true",
                        help="do not install the older or optional releases reproducers name in OVERLAY")
    args = parser.parse_args()
    python = sys.executable
    try:
        step("corpus check", [python, "-m", "kbfix", "corpus", "check"])
        step("encoder", [python, str(HERE / "build_encoder.py")])
        step("calibration", [python, str(HERE / "calibrate.py")])
        if not args.skip_verify:
            step("verification", [python, str(HERE / "verify.py"), *(() if args.no_overlays else ("--overlays",))])
        step("evaluation", [python, str(HERE / "evaluate.py")])
    except subprocess.CalledProcessError as exc:
        print(f"rebuild stopped: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Timing targets, measured on this machine in one run.

    python scripts/bench.py [--runs 15]

1. Cold process: median wall time of ``kbfix diagnose - --json < tb.txt`` against the median of
   ``python -c "import numpy, faiss, tokenizers"`` (target: at most 1.5x), for two inputs: one a
   signature decides (the encoder and index are never loaded) and one only lexical + dense
   retrieval can judge (the full path). Runs alternate so that machine load hits both alike; the
   caches are warm (built once before timing); kbfix's .pyc files are written first, as by pip.
   A fresh install's first run (an empty cache: the corpus is parsed and the index built) is
   printed beside them, for information (no target).
2. Warm, in process: ``kbfix.diagnose(text)`` over every corpus case and eval text, p50 / p95 / max
   (target: p95 <= 10 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "kbfix" / "examples" / "llamafactory-all-frozen.log"  # a signature decides it
# No signature fires: lexical + dense decide (the encoder and FAISS index are loaded)
FULL_PATH = ROOT / "scripts" / "eval" / "cases" / "none__lead-torch-compile-graph-break.txt"


def timed(cmd: list[str], stdin_path: Path | None = None) -> float:
    with open(stdin_path or "/dev/null", "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {proc.stderr.decode()[-500:]}")
    return elapsed


def compile_package() -> None:
    """Write kbfix's .pyc files, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE set, a
    development checkout would otherwise recompile every edited module on each run."""
    import compileall

    compileall.compile_dir(str(ROOT / "kbfix"), quiet=1, force=True)


def cold(runs: int, sample: Path) -> dict:
    baseline_cmd = [sys.executable, "-c", "import numpy, faiss, tokenizers"]
    kbfix_cmd = [sys.executable, "-m", "kbfix", "diagnose", "-", "--json"]
    timed(kbfix_cmd, sample)  # build the index cache once
    base, ours = [], []
    for _ in range(runs):
        base.append(timed(baseline_cmd))
        ours.append(timed(kbfix_cmd, sample))
    b, o = statistics.median(base), statistics.median(ours)
    return {"baseline_median_s": round(b, 4), "kbfix_median_s": round(o, 4), "ratio": round(o / b, 2), "runs": runs}


def first_run(runs: int, sample: Path) -> float:
    """Median wall time of a run that finds the cache empty (each run gets a new cache folder)."""
    kbfix_cmd = [sys.executable, "-m", "kbfix", "diagnose", "-", "--json"]
    saved = os.environ["KBFIX_CACHE_DIR"]
    times = []
    try:
        for _ in range(runs):
            os.environ["KBFIX_CACHE_DIR"] = tempfile.mkdtemp(prefix="kbfix-bench-first-")
            times.append(timed(kbfix_cmd, sample))
    finally:
        os.environ["KBFIX_CACHE_DIR"] = saved
    return statistics.median(times)


def warm() -> dict:
    import kbfix
    from kbfix import corpus

    texts = [c.text for c in corpus.load(strict=False).cases]
    texts += [p.read_text(errors="replace") for p in sorted((ROOT / "scripts" / "eval" / "cases").glob("*.txt"))]
    kbfix.diagnose(texts[0])  # load the engine
    times = []
    for _ in range(3):
        for text in texts:
            start = time.perf_counter()
            kbfix.diagnose(text)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return {"texts": len(texts), "calls": len(times), "p50_ms": round(p(0.5), 2), "p95_ms": round(p(0.95), 2),
            "max_ms": round(times[-1], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("KBFIX_CACHE_DIR", tempfile.mkdtemp(prefix="kbfix-bench-"))
    compile_package()
    for label, sample in (("signature decides", SAMPLE), ("full hybrid path", FULL_PATH)):
        c = cold(args.runs, sample)
        print(f"cold, {label}: kbfix {c['kbfix_median_s']:.3f}s vs import numpy+faiss+tokenizers "
              f"{c['baseline_median_s']:.3f}s -> {c['ratio']:.2f}x (target <= 1.5x, median of {c['runs']})")
    print(f"first run after install (empty cache), signature decides: {first_run(3, SAMPLE):.3f}s (median of 3)")
    w = warm()
    print(f"warm: {w['calls']} calls over {w['texts']} texts: p50 {w['p50_ms']} ms, p95 {w['p95_ms']} ms "
          f"(target <= 10), max {w['max_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

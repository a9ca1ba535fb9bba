"""Run the reproducers that need a GPU on a CUDA machine and keep what each one saw in ``gpu_run.json``.

    python scripts/verify_gpu.py [--out FILE] [ID ...]     # on a machine with a CUDA GPU
    python scripts/verify_gpu.py --all --jobs 8 --out FILE # every reproducer, as a GPU user meets it
    python scripts/verify_gpu.py --merge FILE              # here: write the runs FILE holds into corpus/

A reproducer that declares ``DEVICES`` with ``"cuda"`` in it is run in a process of its own (a CUDA
error can leave the process's context unusable), with the real libraries of that machine. The record
keeps the error text the library printed, whether the fix ran clean, the GPU, the library versions and
a hash of the reproducer. ``scripts/verify.py`` and ``tests/test_reproducers.py`` diagnose that text
again with the current engine wherever no GPU is visible, so a rebuilt corpus is checked against what
the GPU really printed. ``--all`` also runs the CPU reproducers there: most users train on a GPU, and
the same setup can fail there in other words (a device-side assert for an IndexError); their records
are kept the same way and checked while their reproducer is unchanged. Needs only the standard library and the reproducers' own REQUIRES: the kbfix
engine does not run on the GPU machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbfix.reproduce import GPU_RUN, devices, run, source_hash  # noqa: E402

CORPUS = ROOT / "corpus"


def reproducers(ids: list[str], every: bool) -> list[Path]:
    found = [p.parent for p in sorted(CORPUS.glob("*/reproduce.py")) if every or "cuda" in devices(p)]
    return [p for p in found if not ids or p.name in ids]


def unkept(entry_dir: Path, record: dict) -> str:
    """Why a run is not kept as evidence ("" when it is): a reproducer that needs a GPU keeps every run
    (its test then says what went wrong); a CPU reproducer's run proves nothing where its error did not
    happen there (bf16 on a GPU that has it) or its fix failed there."""
    if record["missing"]:
        return "missing " + ", ".join(record["missing"])
    if "cuda" in devices(entry_dir / "reproduce.py"):
        return ""
    if not record["error_text"].strip():
        return "no error there"
    return "fixed() failed there" if record["fixed_error"] else ""


def keep(entry_dir: Path, record: dict) -> str:
    """Write the run beside the reproducer, or remove an older run of the same reproducer that this one
    contradicts; returns why it was not kept ("" when it was)."""
    reason = unkept(entry_dir, record)
    path = entry_dir / GPU_RUN
    if not reason:
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elif not record["missing"] and path.exists():
        path.unlink()
    return reason


def run_one(entry_dir: Path, out: Path) -> None:
    """In the child process: run the reproducer and write its record to ``out``."""
    import torch

    outcome = run(entry_dir)
    versions = {}
    for name in outcome.requires:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    record = {
        "entry": entry_dir.name, "generated_by": "scripts/verify_gpu.py", "date": datetime.date.today().isoformat(),
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "cuda": torch.version.cuda, "gpus": torch.cuda.device_count(),
        "versions": versions, "reproducer": source_hash(entry_dir),
        **{k: v for k, v in asdict(outcome).items() if k not in ("entry_id", "device")},
    }
    out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def run_child(entry_dir: Path, timeout: float) -> dict | None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "record.json"
        try:
            child = subprocess.run([sys.executable, __file__, "--one", str(entry_dir), "--record", str(out)],
                                   capture_output=True, text=True, timeout=timeout)
            problem = "" if out.exists() else (child.stdout + child.stderr)[-3000:]
        except subprocess.TimeoutExpired:
            problem = f"timed out after {timeout:.0f} s"
        if problem:
            print(f"{entry_dir.name:<40} NO RECORD\n{problem}", flush=True)
            return None
        record = json.loads(out.read_text(encoding="utf-8"))
    reason = keep(entry_dir, record)
    state = f"raised={record['raised']} fixed_clean={not record['fixed_error']}"
    print(f"{entry_dir.name:<40} {reason or state}", flush=True)
    return record


def run_all(ids: list[str], timeout: float, every: bool = False, jobs: int = 1) -> list[dict]:
    """The GPU reproducers one at a time (some fill the GPU's memory), then the others ``jobs`` at once."""
    from concurrent.futures import ThreadPoolExecutor

    chosen = reproducers(ids, every)
    alone = [p for p in chosen if "cuda" in devices(p / "reproduce.py")]
    records = [run_child(p, timeout) for p in alone]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        records += pool.map(lambda p: run_child(p, timeout), [p for p in chosen if p not in alone])
    return [r for r in records if r is not None]


def merge(path: Path) -> None:
    for record in json.loads(path.read_text(encoding="utf-8")):
        target = CORPUS / record["entry"]
        if not record["missing"] and source_hash(target) != record["reproducer"]:
            print(f"{record['entry']:<40} skipped: reproduce.py changed since this run")
            continue
        reason = keep(target, record)
        print(f"{record['entry']:<40} {'skipped: ' + reason if reason else GPU_RUN + ' written (' + record['device'] + ')'}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--out", type=Path, help="also write every record into one JSON file")
    parser.add_argument("--merge", type=Path, help="write the records of a --out file into corpus/")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per reproducer")
    parser.add_argument("--all", action="store_true", help="every reproducer, not only those that need a GPU")
    parser.add_argument("--jobs", type=int, default=1, help="reproducers without DEVICES run this many at once")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--record", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(args.one, args.record)
        return 0
    if args.merge:
        merge(args.merge)
        return 0
    import torch

    if not torch.cuda.is_available():
        print("verify_gpu: no CUDA device is visible; run this on a GPU machine", file=sys.stderr)
        return 2
    records = run_all(args.ids, args.timeout, args.all, args.jobs)
    if args.out:
        args.out.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if records else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))

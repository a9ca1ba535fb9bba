"""Verification run: execute every reproducer and write each entry's ``verified.json``.

    python scripts/verify.py [ID ...]

For each entry and each of its fixes, records how the fix was verified and with which library
versions. A fix with ``verification = "reproducer"`` passes when the reproducer raised the real error,
kbfix named this entry first with a confident verdict, the fix index is in the reproducer's FIXES, and
``fixed()`` ran clean. A reproducer that needs a GPU (``DEVICES = ("cuda",)``) is judged here, on a machine
with none, from the run ``scripts/verify_gpu.py`` recorded on a GPU (``gpu_run.json``): the error text
the library printed there is diagnosed again with this engine, and the record says where it ran.
``check`` fixes are recorded with the check text (verified by a config or
introspection check, not here). The JSON output of ``kbfix diagnose`` and ``kbfix corpus show``
carries these records, and kbfix warns when installed versions differ from them.

A reproducer that needs releases this environment lacks (an older transformers, bitsandbytes, trl ...)
names them in ``OVERLAY`` (exact pins, installed without their dependencies) and, rarely,
``OVERLAY_WITH_DEPS`` (installed with them). ``--overlays`` installs those into a folder under
``KBFIX_OVERLAY_DIR`` (default ``~/.cache/kbfix/overlays``; pip downloads from the registry, once per
set of pins) and verifies each such entry again in a process with that folder in front of
``PYTHONPATH``; the environment itself is never changed. ``scripts/rebuild.py`` passes it. A reproducer
that runs a script only a source distribution ships (llama.cpp's converters inside llama-cpp-python's)
names it in ``SOURCES``: ``--overlays`` downloads it without building it, unpacks it under
``KBFIX_OVERLAY_DIR/sources`` and points ``KBFIX_SOURCES`` there (``kbfix.reproduce.source_folder``).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kbfix import corpus as corpus_mod
from kbfix import traceback as tb
from kbfix.engine import build_engine
from kbfix.reproduce import NO_GPU, SOURCES_ENV, declared, recorded, run, source_hash, source_name
from kbfix.versions import installed

def versions(modules: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of the libraries a reproducer used (its REQUIRES), by distribution name."""
    return {m: v for m in modules if (v := installed(m))}


def judge(engine, entry, outcome) -> dict:
    """Whether kbfix names ``entry`` confidently for the error a reproducer produced."""
    report = engine.diagnose(tb.parse(outcome.error_text))
    top = report.matches[0] if report.matches else None
    return {
        "raised": outcome.raised,
        "diagnosed": report.verdict == "match" and top is not None and top.entry.id == entry.id,
        "top": top.entry.id if top else None, "confidence": top.confidence if top else 0.0,
        "fixed_clean": not outcome.fixed_error, "fixes": list(outcome.fixes),
    }


def gpu_record(folder: Path):
    """The GPU run recorded for this very reproducer (same hash), as (Outcome, record); else (None, {})."""
    outcome, record = recorded(folder)
    if outcome is None or record["reproducer"] != source_hash(folder):
        return None, {}
    return outcome, record


def verify_entry(engine, entry) -> dict:
    folder = Path(entry.path)
    today = datetime.date.today().isoformat()
    record = {"entry": entry.id, "generated_by": "scripts/verify.py", "fixes": []}
    used: tuple[str, ...] = ()
    gpu_run: dict = {}  # set when the fixes were proven by the recorded GPU run
    if (folder / "reproduce.py").exists():
        outcome = run(folder)
        gpu_outcome, gpu_meta = gpu_record(folder)
        if outcome.missing == (NO_GPU,) and gpu_outcome is not None:
            outcome, gpu_outcome, gpu_run = gpu_outcome, None, gpu_meta  # judged from what the GPU printed
        if outcome.missing:
            record["reproducer"] = {"skipped": f"missing {', '.join(outcome.missing)}"}
        else:
            used = outcome.requires
            record["reproducer"] = judge(engine, entry, outcome)
            if gpu_run:
                record["reproducer"]["ran_on"] = {k: gpu_run[k] for k in ("device", "cuda", "date")}
        if gpu_outcome is not None:  # ran here too: the GPU's recorded run is judged beside it
            record["gpu_reproducer"] = judge(engine, entry, gpu_outcome) | {
                "ran_on": {k: gpu_meta[k] for k in ("device", "cuda", "date")}}
    for index, fix in enumerate(entry.fixes):
        ran_with = gpu_run.get("versions") if gpu_run else versions(used)
        item = {"index": index, "kind": str(fix.verification), "date": gpu_run.get("date", today),
                "versions": ran_with if fix.verification == "reproducer" else {}}
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


def overlay_pins(entry) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The releases an entry's reproducer asks to be verified with: (without deps, with deps, sources)."""
    path = Path(entry.path) / "reproduce.py"
    if not path.exists():
        return (), (), ()
    names = declared(path)
    return (tuple(names.get("OVERLAY", ())), tuple(names.get("OVERLAY_WITH_DEPS", ())),
            tuple(names.get("SOURCES", ())))


def overlay_root() -> Path:
    return Path(os.environ.get("KBFIX_OVERLAY_DIR") or Path.home() / ".cache" / "kbfix" / "overlays")


def unpack_source(requirement: str) -> Path:
    """The source distribution of ``requirement`` (``name==version``) downloaded from the registry without
    building it and unpacked (its top folder stripped) under ``<overlay root>/sources``, once. Where pip cannot
    read the release's sdist (none published, or metadata an old build backend cannot prepare), its wheel is
    unpacked instead: a pure-Python package's folders, ready to be put on ``PYTHONPATH``."""
    import tarfile
    import tempfile
    import zipfile

    root = overlay_root() / "sources"
    target = root / source_name(requirement)
    if (target / ".complete").exists():
        return root
    shutil.rmtree(target, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"]
    with tempfile.TemporaryDirectory() as tmp:
        got = Path(tmp) / "download"
        if subprocess.run([*pip, "--no-binary", ":all:", "-d", str(got), requirement]).returncode != 0:
            shutil.rmtree(got, ignore_errors=True)
            subprocess.run([*pip, "--only-binary", ":all:", "-d", str(got), requirement], check=True)
        archive = next(got.iterdir())
        unpacked = Path(tmp) / "unpacked"
        if archive.name.endswith(".whl"):
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(unpacked)  # zipfile drops absolute paths and ".." parts, and makes no links
            top = unpacked
        else:
            with tarfile.open(archive) as tar:
                tar.extractall(unpacked, filter="data")  # no links out, no absolute paths, no devices
            top = next(p for p in unpacked.iterdir() if p.is_dir())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(top), str(target))
    (target / ".complete").write_text(requirement + "\n")
    return root


def overlay_folder(pins: tuple[str, ...], with_deps: tuple[str, ...]) -> Path:
    """A folder holding ``pins`` (no dependencies) and ``with_deps`` (with theirs, never replacing a pin),
    installed once and reused while the pins stay the same."""
    root = overlay_root()
    target = root / hashlib.sha256("\n".join((*pins, "--", *with_deps)).encode()).hexdigest()[:16]
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"]
    subprocess.run([*pip, str(target), "--no-deps", *pins], check=True)
    if with_deps:
        deps = target.with_name(target.name + "-deps")
        shutil.rmtree(deps, ignore_errors=True)
        subprocess.run([*pip, str(deps), *with_deps], check=True)
        for item in deps.iterdir():
            if not (target / item.name).exists():
                shutil.move(str(item), str(target / item.name))
        shutil.rmtree(deps, ignore_errors=True)
    (target / ".complete").write_text("\n".join((*pins, "--", *with_deps)) + "\n")
    return target


def verify_with_overlay(entry) -> bool:
    """Verify ``entry`` again in a child process that sees its ``OVERLAY`` releases first."""
    pins, with_deps, sources = overlay_pins(entry)
    if not pins and not with_deps and not sources:
        return False
    env = dict(os.environ)
    try:
        folder = overlay_folder(pins, with_deps) if pins or with_deps else None
        for requirement in sources:
            env[SOURCES_ENV] = str(unpack_source(requirement))
    except (subprocess.CalledProcessError, StopIteration, OSError) as exc:
        print(f"{entry.id:<50} overlay not installed: {exc}")
        return False
    paths = [str(folder) if folder else "", str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    print(f"{entry.id:<50} again with {' '.join((*pins, *with_deps, *sources))} in front", flush=True)
    return subprocess.run([sys.executable, __file__, entry.id], env=env).returncode == 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", help="entry ids (default: every entry)")
    parser.add_argument("--overlays", action="store_true",
                        help="verify entries whose reproducer names OVERLAY releases again with them installed aside")
    args = parser.parse_args(argv)
    corpus = corpus_mod.load(strict=False, validate=True)
    engine = build_engine()
    failed = []
    skipped = []
    for entry in corpus.entries:
        if args.ids and entry.id not in args.ids:
            continue
        record = verify_entry(engine, entry)
        (Path(entry.path) / "verified.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        bad = [f["index"] for f in record["fixes"] if f["kind"] == "reproducer" and not f["passed"]]
        gpu = record.get("gpu_reproducer")
        if gpu and not (gpu["diagnosed"] and gpu["fixed_clean"]):
            bad.append("gpu run")
        status = "ok" if not bad else f"FAILED fixes {bad}"
        print(f"{entry.id:<50} {status}  {record.get('reproducer', {})}")
        if bad:
            failed.append(entry.id)
            if "skipped" in record.get("reproducer", {}):
                skipped.append(entry)
    if args.overlays:
        for entry in skipped:
            if verify_with_overlay(entry):
                failed.remove(entry.id)
    print(f"{len(failed)} entr{'y' if len(failed) == 1 else 'ies'} with failing reproducer fixes: {failed}" if failed else "all reproducer-verified fixes pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

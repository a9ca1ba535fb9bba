"""Check the terminal UI in a real terminal (tmux) and time it.

Starts ``python -m kbfix tui corpus/no-trainable-parameters/cases/match-torch-empty-list.txt`` in a
detached tmux session, polls ``capture-pane`` every 20 ms from launch, and reports

- first paint: the first capture showing kbfix's status line;
- first diagnosis: the first capture showing the expected entry id as a confident match.

Then it prints the screen, presses ``q`` and checks that kbfix left with exit status 0. The same is
done for a piped log (``cat FILE | python -m kbfix --tui``), which needs the keyboard reopened from
/dev/tty. ``--cold`` gives each run a fresh ``KBFIX_CACHE_DIR`` (the index is built on first use).

    python scripts/tui_tmux_check.py [--runs 3] [--size 80x24] [--cold]

Exit status 0 when every check passes and the first paint came within 1 s of launch.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = "corpus/no-trainable-parameters/cases/match-torch-empty-list.txt"
EXPECTED_ID = "no-trainable-parameters"
EXPECTED_TITLE = "Every parameter is frozen"
POLL_S = 0.02
PAINT_BUDGET_S = 1.0


def tmux(*args: str, check: bool = True) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def ensure_tmux() -> None:
    if shutil.which("tmux"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("tmux is missing: apt-get install -y tmux", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "tmux"], check=True, capture_output=True)
    if not shutil.which("tmux"):
        sys.exit("tmux is required: install it (apt-get install -y tmux) and run again")


def run_once(name: str, command: str, size: tuple[int, int], env: dict[str, str], timeout: float = 60.0) -> dict:
    """Launch ``command`` in tmux; return timings, the screen at first diagnosis and the exit status."""
    session = f"kbfix-check-{os.getpid()}-{name}"
    width, height = size
    env_prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    status_file = Path(tempfile.mkdtemp(prefix="kbfix-tmux-")) / "status"
    # the exit status goes to a file: tmux's #{pane_dead_status} is sometimes empty for a dead pane
    shell = f"cd {shlex.quote(str(ROOT))} && {env_prefix} {command}; echo $? > {shlex.quote(str(status_file))}"
    start = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), shell)
    paint = diagnosis = None
    screen = ""
    status = None
    quit_s = None
    try:
        while time.perf_counter() - start < timeout:
            screen = tmux("capture-pane", "-p", "-t", session, check=False)
            now = time.perf_counter() - start
            if paint is None and "kbfix" in screen and "English" in screen:
                paint = now
            if EXPECTED_ID in screen and "confident match" in screen:
                diagnosis = now
                break
            if status_file.exists():
                break
            time.sleep(POLL_S)
        time.sleep(0.2)
        screen = tmux("capture-pane", "-p", "-t", session, check=False)
        tmux("send-keys", "-t", session, "q", check=False)
        pressed = time.perf_counter()
        while time.perf_counter() - pressed < 15:
            if status_file.exists() and status_file.read_text().strip():
                status = status_file.read_text().strip()
                break
            time.sleep(POLL_S)
        quit_s = time.perf_counter() - pressed
        if status is None:
            screen += "\n[after q]\n" + tmux("capture-pane", "-p", "-t", session, check=False)
    finally:
        tmux("kill-session", "-t", session, check=False)
        shutil.rmtree(status_file.parent, ignore_errors=True)
    return {"paint": paint, "diagnosis": diagnosis, "screen": screen, "exit": status, "quit": quit_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--cold", action="store_true", help="a fresh index cache for every run")
    args = parser.parse_args()
    ensure_tmux()
    size = tuple(int(n) for n in args.size.split("x"))
    python = shlex.quote(sys.executable)
    scenarios = {
        "file": f"{python} -m kbfix tui {CASE}",
        "pipe": f"cat {CASE} | {python} -m kbfix --tui",
    }
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    if os.environ.get("KBFIX_CACHE_DIR"):
        env["KBFIX_CACHE_DIR"] = os.environ["KBFIX_CACHE_DIR"]
    ok = True
    for name, command in scenarios.items():
        paints, diagnoses = [], []
        last = None
        for i in range(args.runs):
            run_env = dict(env)
            if args.cold:
                run_env["KBFIX_CACHE_DIR"] = tempfile.mkdtemp(prefix="kbfix-cold-")
            result = run_once(f"{name}{i}", command, size, run_env)
            last = result
            passed = (result["diagnosis"] is not None and EXPECTED_TITLE in result["screen"]
                      and result["exit"] == "0")
            ok &= passed
            paints.append(result["paint"])
            diagnoses.append(result["diagnosis"])
            shown = lambda t: "never" if t is None else f"{t * 1000:.0f} ms"
            print(f"[{name} run {i + 1}] first paint {shown(result['paint'])}, first diagnosis "
                  f"{shown(result['diagnosis'])}, exit status {result['exit']} {shown(result['quit'])} after q  "
                  f"{'ok' if passed else 'FAILED'}")
        print(f"\n--- screen ({name}: {command.replace(sys.executable, 'python')}) at {args.size} ---")
        print(last["screen"].rstrip())
        print("---")
        if all(p is not None for p in paints) and all(d is not None for d in diagnoses):
            paint, diagnosis = statistics.median(paints), statistics.median(diagnoses)
            print(f"{name}: median first paint {paint * 1000:.0f} ms, median first diagnosis "
                  f"{diagnosis * 1000:.0f} ms over {args.runs} run(s){' (cold cache)' if args.cold else ''}\n")
            if paint > PAINT_BUDGET_S:
                print(f"{name}: first paint is over the {PAINT_BUDGET_S:.0f} s budget")
                ok = False
        else:
            ok = False
    print("tmux check:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

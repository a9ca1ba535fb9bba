"""A one-rank gloo job under the real torchrun (torch.distributed.run) started from a "terminal": a process group
standing for the login shell's session, the job in it as a terminal's job is. When the terminal hangs up (SSH
drops, the window closes), the kernel / the shell send SIGHUP to the terminal's jobs: here os.killpg(SIGHUP) on
that group while the job prints its steps. torchrun's elastic agent turns the signal into
``torch.distributed.elastic.multiprocessing.api.SignalException: Process <pid> got signal: 1`` after logging
``Received 1 death signal, shutting down workers``. The same happens under plain ``nohup`` (torchrun installs its
own SIGHUP handler over nohup's SIG_IGN), which reproduce() shows too.

fixed(): the same job started with ``setsid nohup`` (fix 0: a new session, no controlling terminal, so the hangup
never reaches it) and, where the installed torchrun has ``--signals-to-handle``, with nohup and SIGHUP left out of
the signals torchrun handles (fix 2: the agent and workers keep nohup's SIG_IGN); both get the same
SIGHUP on the terminal's group and finish. CPU only, about 15-25 s.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kbfix.reproduce import free_port

REQUIRES = ("torch",)
FIXES = (0, 2)

STEPS = 3

WORKER = f'''
import time
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
total = torch.ones(1)
for step in range({STEPS}):
    dist.all_reduce(total)
    print(f"step {{step + 1}}/{STEPS}", flush=True)
    time.sleep(0.5)
dist.destroy_process_group()
print("training finished", flush=True)
'''


def _torchrun(folder, options=()):
    return [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=1", *options,
            "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{free_port()}", str(folder / "train.py")]


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _run_in_terminal(detach=False, nohup=False, options=(), timeout=60):
    """Start the job in a stand-in terminal session, hang the terminal up once the job prints its first step,
    and return (exit code, what the job wrote to its log)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "train.py").write_text(WORKER, encoding="utf-8")
        log_path = folder / "train.log"
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_SIGNALS_TO_HANDLE")}
        environ["OMP_NUM_THREADS"] = "1"
        # the terminal's job control group: its leader stands for the login shell (a group of its own in this
        # session, so that the job can join it; a terminal hangup reaches every process of the group)
        terminal = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], preexec_fn=os.setpgrp)
        pgid = terminal.pid
        command = _torchrun(folder, options)
        setsid = shutil.which("setsid")
        nohup_bin = shutil.which("nohup")

        def join_terminal():
            os.setpgid(0, pgid)                                # a job of that terminal
            if detach and not setsid:
                os.setsid()                                    # what setsid(1) does
            if nohup and not nohup_bin:
                signal.signal(signal.SIGHUP, signal.SIG_IGN)   # what nohup(1) does

        if nohup and nohup_bin:
            command = [nohup_bin, *command]
        if detach and setsid:
            command = [setsid, *command]                       # not a group leader here: setsid(2) without a fork
        job = None
        try:
            with open(log_path, "wb") as log:
                job = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       cwd=folder, env=environ, preexec_fn=join_terminal)
            deadline = time.monotonic() + timeout
            while b"step 1/" not in log_path.read_bytes():
                if job.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the job did not start:\n" + log_path.read_text(errors="replace"))
                time.sleep(0.1)
            os.killpg(pgid, signal.SIGHUP)                     # the terminal hangs up
            code = job.wait(timeout=max(5.0, deadline - time.monotonic()))
            return code, log_path.read_text(errors="replace")
        finally:
            if job is not None and job.poll() is None:
                _kill_group(job.pid if detach else pgid)
                job.wait(timeout=10)
            _kill_group(pgid)
            terminal.wait(timeout=10)


def _has_signals_to_handle():
    import torch.distributed.run as run

    return "signals_to_handle" in Path(run.__file__).read_text(encoding="utf-8")


def reproduce():
    # torchrun ... in a terminal (or a notebook's shell), then the SSH connection drops
    code, output = _run_in_terminal()
    assert code != 0 and "got signal: 1" in output and "training finished" not in output, output
    # nohup torchrun ... & alone: torchrun replaces nohup's SIG_IGN with its own SIGHUP handler
    code_nohup, output_nohup = _run_in_terminal(nohup=True)
    assert code_nohup != 0 and "got signal: 1" in output_nohup, output_nohup
    return output


def fixed():
    # fix 0: setsid nohup torchrun ... > train.log 2>&1 < /dev/null &   (tmux / screen do the same: their own session)
    code, output = _run_in_terminal(detach=True, nohup=True)
    assert code == 0 and "training finished" in output and "got signal" not in output, output
    texts = [output]
    # fix 2: nohup, and torchrun told not to handle SIGHUP (releases with --signals-to-handle)
    if _has_signals_to_handle():
        code, kept = _run_in_terminal(nohup=True, options=("--signals-to-handle=SIGTERM,SIGINT,SIGQUIT",))
        assert code == 0 and "training finished" in kept and "got signal" not in kept, kept
        texts.append(kept)
    return "".join(texts)

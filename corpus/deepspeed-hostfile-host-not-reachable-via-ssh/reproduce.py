"""The deepspeed launcher is given a hostfile with two hosts, so it plans a multi-node launch over pdsh and first
checks passwordless ssh into the first host (``ssh -o PasswordAuthentication=no <host> hostname``). The hosts are
names under the reserved ``.invalid`` domain, so ssh fails (exit status 255, "Could not resolve hostname") without
touching the network, and deepspeed/launcher/runner.py raises "Using hostfile at ... but host=... was not reachable
via ssh". fixed() applies fix 1 (one machine: no hostfile, ``--num_gpus 1``): the launcher proceeds with local
resources only and the script runs.
"""

import tempfile
from pathlib import Path

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("deepspeed", "torch")
FIXES = (1,)

SCRIPT = 'print("TRAIN_OK")\n'
RUNNER = ("-m", "deepspeed.launcher.runner")


def reproduce():
    with tempfile.TemporaryDirectory() as tmp:
        hostfile = Path(tmp) / "hostfile"
        hostfile.write_text("kbfix-node-a.invalid slots=1\nkbfix-node-b.invalid slots=1\n", encoding="utf-8")
        return failed(run_script(SCRIPT, RUNNER + ("--hostfile", str(hostfile), "--master_addr", "127.0.0.1"),
                                 env={"HF_HUB_OFFLINE": "1"}, timeout=180))


def fixed():
    with tempfile.TemporaryDirectory() as tmp:
        absent = str(Path(tmp) / "no-hostfile")        # no hostfile: local resources only
        return succeeded(run_script(SCRIPT, RUNNER + ("--hostfile", absent, "--num_gpus", "1"),
                                    env={"HF_HUB_OFFLINE": "1"}, timeout=180), "TRAIN_OK")

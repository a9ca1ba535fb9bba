"""A Ray head node was started (``ray start --head``) from an environment with Ray 2.60.0; the training driver runs
in another environment where Ray 2.59.0 is installed and joins it with ``ray.init(address=...)``. The driver's
``check_version_info`` compares its Ray and Python versions with the ones the head recorded and refuses to connect:
``RuntimeError: Version mismatch: The cluster was started with: Ray: 2.60.0 ... This process on node ... was started
with: Ray: 2.59.0``. fixed() applies fix 1: the driver runs from the head's environment (the same Ray and Python) and
connects.

A real one-CPU head on this machine, in a temporary folder of its own and on free ports; it is stopped (its process
group) when each run ends. The head and the fixed driver use the overlay's Ray 2.60.0; the mismatched driver puts the
unpacked Ray 2.59.0 wheel (``SOURCES``: Ray publishes no source distribution) in front of it. Ray is not installed in
the test environment: elsewhere the test skips it.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from kbfix.reproduce import release_within, source_folder

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays): the
# cluster's and the fixed driver's Ray, and the other release the mismatched driver runs
OVERLAY = ('ray==2.60.0',)
SOURCES = ('ray==2.59.0',)
# check_version_info compares (ray.__version__, Python version); verified with a 2.60.0 head and a 2.59.0 driver
REQUIRES = ("ray",) + (() if release_within("ray", (2, 60), (2, 61)) and source_folder(SOURCES[0])
                       else ("kbfix_requires_ray_2_60_and_the_unpacked_ray_2_59",))
FIXES = (1,)

DRIVER = """
import sys
import ray
print("driver Ray", ray.__version__, flush=True)
ray.init(address=sys.argv[1], include_dashboard=False)
print("connected to", sys.argv[1], flush=True)
ray.shutdown()
"""


def _read(path):
    """The text of ``path`` stripped, or "" while it does not exist."""
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as file:
        return file.read().strip()


@contextlib.contextmanager
def _head():
    """``ray start --head --block`` from this environment in a process group of its own; yields its address."""
    from kbfix.reproduce import free_port

    folder = tempfile.mkdtemp(prefix="kbray")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", "--num-cpus", "1",
               "--temp-dir", folder, "--port", free_port(), "--include-dashboard", "false",
               "--dashboard-port", free_port(),
               "--dashboard-agent-listen-port", free_port(), "--metrics-export-port", free_port(),
               "--disable-usage-stats"]
    head = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    try:
        marker = os.path.join(folder, "ray_current_cluster")
        deadline = time.time() + 180
        while not _read(marker):
            if head.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the Ray head did not start (exit code {head.poll()})")
            time.sleep(0.5)
        time.sleep(1)
        yield _read(marker)
    finally:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(head.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                head.wait(timeout=wait)
        shutil.rmtree(folder, ignore_errors=True)


def _driver(address, in_front=None):
    from kbfix.reproduce import run_script

    paths = [str(in_front)] if in_front else []
    env = {"PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]), "RAY_USAGE_STATS_ENABLED": "0"}
    return run_script(DRIVER, args=(address,), env=env, unset=("RAY_ADDRESS",), timeout=180)


def reproduce():
    from kbfix.reproduce import failed

    with _head() as address:
        return failed(_driver(address, in_front=source_folder(SOURCES[0])))


def fixed():
    from kbfix.reproduce import succeeded

    with _head() as address:
        return succeeded(_driver(address), "driver Ray 2.60.0", "connected to")

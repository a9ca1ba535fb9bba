"""Rank 1 of a two-rank gloo job points its rendezvous at an address where no rank 0 (no c10d TCPStore server)
listens: what a worker node sees when MASTER_ADDR / --master_addr names the wrong machine (localhost, a hostname
that resolves to 127.0.1.1, a placeholder IP), the port is blocked, or the master node was never started. The real
``init_process_group("gloo", init_method="tcp://127.0.0.1:<free port>", rank=1, world_size=2)`` keeps retrying the
connection and raises ``torch.distributed.DistNetworkError: The client socket has timed out after 3000ms while
trying to connect to (127.0.0.1, <port>)`` (torch 1.11-2.0: ``TimeoutError: ... after 3s ...``) once its (here
3-second) timeout is spent.

fixed() applies fix 0: both ranks are given the same address, one where rank 0 really runs, in two processes; the
process group forms and an all_reduce of ones sums to 2. CPU only, a few seconds.
"""

from kbfix.reproduce import failed, free_port, run_script

REQUIRES = ("torch",)
FIXES = (0,)

RANK = '''
import datetime, sys
import torch
import torch.distributed as dist

url, rank = sys.argv[1], int(sys.argv[2])
dist.init_process_group("gloo", init_method=url, rank=rank, world_size=2, timeout=datetime.timedelta(seconds=3))
total = torch.ones(1)
dist.all_reduce(total)
print(f"rank {rank} of {dist.get_world_size()} sum {total.item():.0f}")
dist.destroy_process_group()
'''


def reproduce():
    # the worker node alone: its MASTER_ADDR:MASTER_PORT reaches no rank 0
    return failed(run_script(RANK, args=(f"tcp://127.0.0.1:{free_port()}", "1"), timeout=60))


def fixed():
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    # fix 0: every rank uses the address where rank 0 (which hosts the store) really listens
    url = f"tcp://127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.py"
        path.write_text(RANK, encoding="utf-8")
        procs = [subprocess.Popen([sys.executable, str(path), url, str(rank)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, cwd=folder) for rank in (0, 1)]
        outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert "rank 0 of 2 sum 2" in outputs[0] and "rank 1 of 2 sum 2" in outputs[1], outputs
    return "".join(outputs)

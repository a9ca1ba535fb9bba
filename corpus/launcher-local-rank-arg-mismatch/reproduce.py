"""Launch a one-rank job with the real torch.distributed.launch on CPU: the launcher appends
--local-rank=0 (PyTorch >= 2.0) to a script whose argparse only declares --local_rank.

reproduce() returns what the terminal shows (the worker's argparse error and the launcher's report);
fixed() declares both spellings, defaulting to LOCAL_RANK, and the same launch runs clean.
"""

REQUIRES = ("torch",)
FIXES = (0,)

OLD_SCRIPT = '''
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--local_rank", type=int, default=0)
parser.add_argument("--epochs", type=int, default=1)
args = parser.parse_args()
print("rank", args.local_rank)
'''

FIXED_SCRIPT = '''
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--local-rank", "--local_rank", dest="local_rank", type=int,
                    default=int(os.environ.get("LOCAL_RANK", 0)))
parser.add_argument("--epochs", type=int, default=1)
args = parser.parse_args()
print("rank", args.local_rank)
'''


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(script_text):
    from kbfix.reproduce import run_script

    launcher = ("-m", "torch.distributed.launch", "--nproc_per_node=1", f"--master_port={_free_port()}")
    return run_script(script_text, launcher, ("--epochs", "1"), timeout=60)


def reproduce():
    code, output = _launch(OLD_SCRIPT)
    assert code != 0, output
    return output


def fixed():
    code, output = _launch(FIXED_SCRIPT)
    assert code == 0 and "rank 0" in output, output
    return output

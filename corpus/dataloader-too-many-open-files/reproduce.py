"""DataLoader workers (fork, 2 workers) send each item, a list of small tensors, to the main process through
shared memory with torch's default `file_descriptor` strategy: every tensor the main process still holds keeps
one open file descriptor. The loop keeps every batch (as code that collects outputs, labels or a cache does),
with the open-files limit of the main process lowered to 512 once the workers have started, in a fresh
process: torch raises "RuntimeError: Too many open files. Communication with the workers is no longer
possible ...". fixed() runs the same loop with the limit raised (fix 0), with
`set_sharing_strategy('file_system')` (fix 1), and with one stacked tensor per item under the low limit (fix 2).
"""

from kbfix.reproduce import failed, succeeded

REQUIRES = ("torch",)
FIXES = (0, 1, 2)

LIMIT = 512

SCRIPT = '''
import resource, sys
import torch
from torch.utils.data import DataLoader, Dataset

limit, strategy, stacked = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "stacked"
if strategy == "file_system":
    torch.multiprocessing.set_sharing_strategy("file_system")   # fix 1: at the top, before any DataLoader


class Pieces(Dataset):
    def __len__(self):
        return 300

    def __getitem__(self, i):
        pieces = [torch.full((8,), float(i)) for _ in range(4)]     # four small tensors per item
        return torch.stack(pieces) if stacked else pieces          # fix 2: one tensor per item


loader = DataLoader(Pieces(), batch_size=None, num_workers=2)
batches = iter(loader)                                             # the workers start here
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
kept = [batch for batch in batches]                                # every received tensor stays alive
print("kept", len(kept), "items with ulimit -n", soft, "strategy", torch.multiprocessing.get_sharing_strategy())
'''


def _run(limit, strategy="file_descriptor", layout="list"):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=(str(limit), strategy, layout), timeout=120)


def _hard_limit():
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return 65535 if hard == resource.RLIM_INFINITY else min(hard, 65535)


def reproduce():
    return failed(_run(LIMIT))


def fixed():
    outputs = []
    if _hard_limit() >= 4096:  # fix 0: raise the soft limit (here up to the hard limit)
        outputs.append(succeeded(_run(_hard_limit()), "kept 300"))
    outputs.append(succeeded(_run(LIMIT, strategy="file_system"), "kept 300"))  # fix 1
    outputs.append(succeeded(_run(LIMIT, layout="stacked"), "kept 300"))  # fix 2: 300 descriptors instead of 1200
    return "".join(outputs)

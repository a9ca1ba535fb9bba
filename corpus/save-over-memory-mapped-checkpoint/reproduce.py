"""Save a checkpoint over the file its tensors are still memory-mapped from.

The error users report (`Error while serializing: IoError(Os { code: 1224, ... user-mapped section open })`)
is Windows-only: Windows refuses to truncate a file while a mapped view of it exists. No Linux or macOS
process can raise it, so this reproducer shows the same cause the way Linux reports it, with the real
torch: `torch.load(path, mmap=True)` maps the checkpoint, `torch.save(state_dict, path)` opens the same path
with O_TRUNC and then copies the storages out of the mapping it just truncated. Every page past the new end of
file raises SIGBUS, so the process dies with "Bus error" (exit 135); run with `-X faulthandler`, Python prints
"Fatal Python error: Bus error" and the torch.save frames. Deterministic (the storage pages lie beyond what has
been written when they are read).

fixed() runs the same save with fix 0 (write to a new path), fix 1 (load fully into memory first, no mapping
left) and fix 2 (write a sibling temp file, drop every tensor of the mapping, then os.replace) and checks the
weights that come back. On Windows the unfixed save raises the SafetensorError / 1224 instead; the fixes are
the same.
"""

REQUIRES = ("torch",)
FIXES = (0, 1, 2)

SCRIPT = r'''
import gc, os, sys
import torch

mode = sys.argv[1]
path = "model.pt"
torch.save({"weight": torch.arange(1 << 22, dtype=torch.float32)}, path)     # a 16 MB checkpoint

if mode == "same-path":
    state = torch.load(path, mmap=True, weights_only=True)      # lazily mapped, like safetensors' load_file
    torch.save(state, path)                                     # truncates the file the tensors are mapped from
elif mode == "new-path":                                        # fix 0
    state = torch.load(path, mmap=True, weights_only=True)
    torch.save(state, "model-finetuned.pt")
    path = "model-finetuned.pt"
elif mode == "in-memory":                                       # fix 1
    state = torch.load(path, mmap=False, weights_only=True)     # or {k: v.clone() for k, v in state.items()}
    torch.save(state, path)
elif mode == "temp-then-replace":                               # fix 2
    state = torch.load(path, mmap=True, weights_only=True)
    torch.save(state, path + ".tmp")
    del state
    gc.collect()                                                # no tensor may still map the old file
    os.replace(path + ".tmp", path)

reloaded = torch.load(path, weights_only=True)["weight"]
assert torch.equal(reloaded, torch.arange(1 << 22, dtype=torch.float32)), "weights changed"
print(mode, "saved and verified", path)
'''


def _run(mode):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, launcher=("-X", "faulthandler"), args=(mode,), timeout=120)


def reproduce():
    code, output = _run("same-path")
    assert code != 0 and "Bus error" in output, (code, output)
    return output


def fixed():
    outputs = []
    for mode in ("new-path", "in-memory", "temp-then-replace"):
        code, output = _run(mode)
        assert code == 0 and f"{mode} saved and verified" in output, (mode, code, output)
        outputs.append(output)
    return "".join(outputs)

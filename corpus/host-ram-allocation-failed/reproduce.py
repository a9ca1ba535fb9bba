"""A process whose memory limit is smaller than what loading a model's weights in fp32 asks for. The child process caps
its own address space (``resource.setrlimit(RLIMIT_AS, ...)``: what ``ulimit -v``, a per-user quota or a strict
container limit does) at what it already uses plus 300 MiB, then builds an LLM-style embedding matrix of 100,000 x 1,024
in float32 (400 MB): torch's CPU allocator (c10 ``alloc_cpu``, ``posix_memalign``) gets ENOMEM and raises the real
"DefaultCPUAllocator: can't allocate memory: you tried to allocate 409600000 bytes. Error code 12 (Cannot allocate
memory)". fixed() applies fix 0, asking for less: the same matrix in bfloat16 (200 MB, what
``from_pretrained(..., torch_dtype=torch.bfloat16)`` does for a model's weights) fits under the same limit.

Linux only (RLIMIT_AS on /proc/self/status's VmSize); elsewhere REQUIRES names a module that cannot exist.
"""

import sys

from kbfix.reproduce import CAP_ADDRESS_SPACE, failed, run_script, succeeded

LINUX = "a Linux host where RLIMIT_AS limits allocations"
REQUIRES = ("torch", "resource") + (() if sys.platform.startswith("linux") else (LINUX,))
FIXES = (0,)

SCRIPT = CAP_ADDRESS_SPACE + r'''
import sys, torch

# the process may grow by 300 MiB from here: a memory limit below what the weights need
cap_address_space(300)
dtype = torch.bfloat16 if sys.argv[1] == "bf16" else torch.float32      # fix 0: load in 16-bit
embed_tokens = torch.nn.Embedding(100_000, 1024, dtype=dtype)
print("built", embed_tokens.weight.dtype, embed_tokens.weight.numel() * embed_tokens.weight.element_size(), "bytes")
'''


def reproduce():
    output = failed(run_script(SCRIPT, args=("fp32",)))
    return output[output.index("Traceback"):] if "Traceback" in output else output


def fixed():
    return succeeded(run_script(SCRIPT, args=("bf16",)), "built torch.bfloat16")

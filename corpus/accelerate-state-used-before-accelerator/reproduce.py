"""A training script reads accelerate's shared state (set_seed(device_specific=True) asks AcceleratorState for
the process index) before it has created its Accelerator.

Each script runs in a fresh Python process: accelerate's state is process-wide, and another reproducer in the
same process may already have created it.
"""

from kbfix.reproduce import failed

REQUIRES = ("torch", "accelerate")
FIXES = (1,)

OLD_SCRIPT = '''
from accelerate import Accelerator
from accelerate.utils import set_seed

set_seed(42, device_specific=True)      # reads AcceleratorState().process_index: no state exists yet
accelerator = Accelerator(gradient_accumulation_steps=4)
print("process", accelerator.process_index, "of", accelerator.num_processes)
'''

FIXED_SCRIPT = '''
from accelerate import Accelerator
from accelerate.logging import get_logger
from accelerate.utils import set_seed

accelerator = Accelerator(gradient_accumulation_steps=4)   # first: it creates the shared state
set_seed(42, device_specific=True)                          # now reads the state the Accelerator made
get_logger(__name__).info("state ready")                    # accelerate's logger needs the state too
print("process", accelerator.process_index, "of", accelerator.num_processes,
      "deepspeed plugin:", accelerator.state.deepspeed_plugin)
'''


def _run(source):
    from kbfix.reproduce import run_script

    return run_script(source, env={"ACCELERATE_USE_CPU": "true"}, timeout=300,
                      unset=("ACCELERATE_USE_DEEPSPEED", "ACCELERATE_USE_FSDP", "RANK", "WORLD_SIZE", "LOCAL_RANK"))


def reproduce():
    return failed(_run(OLD_SCRIPT))


def fixed():
    code, output = _run(FIXED_SCRIPT)
    if code != 0:
        raise RuntimeError(output)
    return output

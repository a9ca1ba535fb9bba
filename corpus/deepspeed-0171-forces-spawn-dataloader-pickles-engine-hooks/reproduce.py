"""DeepSpeed 0.17.1 sets the process-wide multiprocessing start method to spawn when it is imported
(``mp.set_start_method('spawn', force=True)`` at module level in runtime/checkpoint_engine/decoupled_checkpoint_engine.py,
DeepNVMe update #7215; removed in 0.17.2 by #7349). A DataLoader with num_workers > 0 then pickles what each worker
needs, here a collate function holding the model as LLaMA-Factory's and ms-swift's collators do, and the model carries
the forward hooks deepspeed.initialize registers on it (local functions since 0.16.5), so the worker start fails with
``AttributeError: Can't pickle local object 'DeepSpeedEngine._create_module_forward_post_hook.<locals>._module_forward_post_hook'``.

The script runs in a fresh process on the real deepspeed.initialize (CPU, gloo, one rank). The environment's DeepSpeed
is newer, so this needs deepspeed 0.17.1 as a PYTHONPATH overlay IN FRONT of it (``scripts/verify.py --overlays``
installs OVERLAY). reproduce() runs with the overlay; fixed() (fix 0, the upgrade) runs the same script with the overlay
taken off sys.path: the start method stays Linux's fork, the workers are forked, and two steps train.
"""

from kbfix.reproduce import older_in_front, release_within, run_script, succeeded


def _overlay():
    return older_in_front("deepspeed", (0, 18))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "deepspeed 0_17_1 as a PYTHONPATH overlay in front of deepspeed 0_18 or newer, see the docstring"
OVERLAY = ("deepspeed==0.17.1",)
REQUIRES = ("torch", "deepspeed") + (
    () if _overlay() and release_within("deepspeed", (0, 17, 1), (0, 17, 2)) else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import multiprocessing
import os
import socket

import torch
import deepspeed

print("deepspeed", deepspeed.__version__, "start method", multiprocessing.get_start_method(), flush=True)


class Collator:
    """A collate function that keeps the model, as LLaMA-Factory's and ms-swift's collators do."""

    def __init__(self, model):
        self.model = model

    def __call__(self, batch):
        return torch.stack(batch)


if __name__ == "__main__":
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK="0", LOCAL_RANK="0", WORLD_SIZE="1",
                      LOCAL_WORLD_SIZE="1")
    deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False  # no JIT C++ build of the CPU allreduce kernel
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    config = {"train_micro_batch_size_per_gpu": 2, "zero_allow_untested_optimizer": True}
    engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer, config=config)
    data = [torch.randn(8) for _ in range(4)]
    loader = torch.utils.data.DataLoader(data, batch_size=2, num_workers=1, collate_fn=Collator(model))
    steps = 0
    for batch in loader:
        loss = torch.nn.functional.mse_loss(engine(batch), torch.zeros(2, 2))
        engine.backward(loss)
        engine.step()
        steps += 1
    print(f"trained {steps} steps with DataLoader workers", flush=True)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code != 0, "the DataLoader workers started; deepspeed must be 0.17.1\n" + output
    assert "Can't pickle local object" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "trained 2 steps with DataLoader workers")

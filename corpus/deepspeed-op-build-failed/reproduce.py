"""ZeRO with the optimizer offloaded to the CPU makes DeepSpeed build its ``cpu_adam`` op at the first
``deepspeed.initialize``: torch.utils.cpp_extension JIT-compiles it with ninja and the C++ compiler. In a
slim image (or a shell whose PATH lost the toolchain) there is no ``c++``: ninja's compile steps fail with
"c++: not found", torch raises "Error building extension 'cpu_adam'" and DeepSpeedCPUAdam turns it into
"DeepSpeedCPUAdam requires the cpu_adam op, which failed to build/load." reproduce() runs that real engine
start in a fresh process whose PATH holds only ninja (no compiler) and an empty extensions folder, so
nothing built earlier is reused. fixed() is fix 2: the same engine and training step with torch's AdamW
(``torch_adam: true`` and ``zero_force_ds_cpu_optimizer: false``), which needs no compiled op.
"""

import shutil
import tempfile
from pathlib import Path

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("torch", "deepspeed")
FIXES = (2,)

SCRIPT = """
import json, sys
import torch
import deepspeed
from kbfix.reproduce import deepspeed_rank

config = {
    "train_micro_batch_size_per_gpu": 2,
    "gradient_accumulation_steps": 1,
    "zero_optimization": {"stage": 2, "offload_optimizer": {"device": "cpu"}},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
}
if sys.argv[1] == "torch_adam":  # fix 2
    config["optimizer"]["params"]["torch_adam"] = True
    config["zero_force_ds_cpu_optimizer"] = False

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
with deepspeed_rank():
    engine, optimizer, _, _ = deepspeed.initialize(model=model, model_parameters=model.parameters(), config=config)
    loss = engine(torch.randn(2, 8)).pow(2).mean()
    engine.backward(loss)
    engine.step()
    print("optimizer", type(optimizer.optimizer if hasattr(optimizer, "optimizer") else optimizer).__name__,
          "loss", round(loss.item(), 4))
"""


def _run(mode: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        tools = Path(tmp) / "bin"  # the PATH of an image without a compiler: ninja alone, when there is one
        tools.mkdir()
        ninja = shutil.which("ninja")
        if ninja:
            (tools / "ninja").symlink_to(ninja)
        env = {"PATH": str(tools), "TORCH_EXTENSIONS_DIR": str(Path(tmp) / "extensions"), "CXX": "c++"}
        return run_script(SCRIPT, args=(mode,), env=env, timeout=300)


def reproduce():
    return failed(_run("ds_cpu_adam"))


def fixed():
    return succeeded(_run("torch_adam"), "optimizer", "loss")

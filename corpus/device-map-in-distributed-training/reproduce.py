"""Prepare a ``device_map="auto"`` model for training under a distributed launcher.

torchrun / accelerate launch set LOCAL_RANK, RANK, WORLD_SIZE; here one CPU rank with the gloo backend
stands in for them (Accelerate reports MULTI_CPU, a distributed mode like MULTI_GPU). A tiny Qwen2 is
loaded with ``device_map="auto"`` and a small ``max_memory`` so that, as on GPUs, the model is split
(here between CPU and disk) and gets an ``hf_device_map`` with several entries.
``Accelerator.prepare`` then refuses it.
"""

import contextlib
import os
import socket
import tempfile

REQUIRES = ("torch", "transformers", "accelerate", "safetensors")
FIXES = (0, 1)

_LAUNCH_ENV = ("LOCAL_RANK", "RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
               "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _checkpoint():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    path = tempfile.mkdtemp(prefix="kbfix-devmap-")
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=False)
    Qwen2ForCausalLM(config).save_pretrained(path)
    return path


@contextlib.contextmanager
def _launched(distributed):
    """Environment of ``torchrun --nproc_per_node=1`` (distributed) or of ``python train.py``."""
    import torch
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState

    saved = {k: os.environ.get(k) for k in _LAUNCH_ENV}
    AcceleratorState._reset_state(True)  # an earlier TrainingArguments/Accelerator in this process
    if distributed:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        os.environ.update(LOCAL_RANK="0", RANK="0", WORLD_SIZE="1", LOCAL_WORLD_SIZE="1",
                          MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    else:
        for key in _LAUNCH_ENV:
            os.environ.pop(key, None)
    try:
        yield Accelerator(cpu=True)
    finally:
        AcceleratorState._reset_state(True)
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _split_model(path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, device_map="auto", max_memory={"cpu": 16000},
                                                offload_folder=tempfile.mkdtemp(prefix="kbfix-offload-"))


def reproduce():
    path = _checkpoint()
    with _launched(distributed=True) as accelerator:
        model = _split_model(path)
        accelerator.prepare(model)


def fixed():
    from transformers import AutoModelForCausalLM

    path = _checkpoint()
    # fix 0: data parallel: every rank loads a full copy on its own device, no device_map="auto"
    with _launched(distributed=True) as accelerator:
        model = AutoModelForCausalLM.from_pretrained(path, device_map={"": accelerator.device})
        wrapped = accelerator.prepare(model)
        assert type(wrapped).__name__ == "DistributedDataParallel"
    # fix 1: model parallel: keep device_map="auto" but run one process (python train.py)
    with _launched(distributed=False) as accelerator:
        model = _split_model(path)
        assert len(set(model.hf_device_map.values())) > 1
        accelerator.prepare(model)

"""A Llama-architecture model with 40 attention heads (8 KV heads) is started with vLLM on 3 GPUs
(``LLM(model, tensor_parallel_size=3)`` / ``vllm serve --tensor-parallel-size 3``). vLLM's engine arguments build the
model and parallel configs, and ``VllmConfig.__post_init__`` calls ``ModelConfig.verify_with_parallel_config``:
``ValidationError: 1 validation error for VllmConfig`` / ``Value error, Total number of attention heads (40) must be
divisible by tensor parallel size (3).`` fixed() applies fix 1 (``tensor_parallel_size=2``, a divisor of 40 and 8) and,
apart, fix 2 (tensor 1 x pipeline 3): the same ``verify_with_parallel_config`` passes each time. The fixed runs stop
at that check: the rest of engine startup needs a GPU (on an x86 CPU vLLM 0.34 then asks for triton-cpu).

Only the model's ``config.json`` is written here (no weights, no tokenizer); nothing is downloaded. vLLM runs with its
CPU platform (``VLLM_TARGET_DEVICE=cpu``). vLLM is not installed in the test environment: this runs in an overlay of
vllm 0.34.0 and the releases its model registry imports (installed without their dependencies); elsewhere the test
skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays): vllm,
# what vllm.config imports (pyzmq, aiohttp and its dependencies) and what ModelConfig's model registry imports when it
# inspects the architecture (msgspec, cbor2, pillow, pybase64, cachetools, llguidance, xgrammar, apache-tvm-ffi)
OVERLAY = ('vllm==0.34.0', 'pyzmq==27.3.0', 'aiohttp==3.14.5', 'multidict==7.2.1', 'yarl==1.25.1', 'propcache==0.5.4',
           'aiohappyeyeballs==2.7.1', 'aiosignal==1.4.0', 'frozenlist==1.8.0', 'msgspec==0.23.0', 'cbor2==6.3.0',
           'pillow==13.0.0', 'pybase64==1.5.1', 'cachetools==8.0.3', 'llguidance==1.7.6', 'xgrammar==0.2.8',
           'apache-tvm-ffi==0.1.11')
# the check is in every vLLM release; this engine-arguments path is verified with vllm 0.34.0
REQUIRES = ("torch", "transformers", "pydantic", "zmq", "aiohttp", "msgspec", "cbor2", "PIL", "pybase64", "xgrammar",
            "vllm") + (() if release_within("vllm", (0, 34), (0, 35)) else ("kbfix_requires_vllm_0_34",))
FIXES = (1, 2)


def _model_folder(folder):
    """config.json of a Llama-architecture model with 40 heads, 8 KV heads and 6 layers (the config is all vLLM reads
    before the check)."""
    from transformers import LlamaConfig

    LlamaConfig(hidden_size=320, intermediate_size=64, num_attention_heads=40, num_key_value_heads=8,
                num_hidden_layers=6, vocab_size=64, max_position_embeddings=64,
                architectures=["LlamaForCausalLM"]).save_pretrained(folder)
    return folder


def _engine_args(folder, tensor_parallel_size, pipeline_parallel_size=1):
    os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from vllm.engine.arg_utils import EngineArgs

    return EngineArgs(model=folder, skip_tokenizer_init=True, tensor_parallel_size=tensor_parallel_size,
                      pipeline_parallel_size=pipeline_parallel_size)


def _verify(folder, tensor_parallel_size, pipeline_parallel_size=1):
    """The check VllmConfig runs on the model config and the parallel config the engine arguments give."""
    from vllm.config import ParallelConfig

    model_config = _engine_args(folder, tensor_parallel_size, pipeline_parallel_size).create_model_config()
    model_config.verify_with_parallel_config(ParallelConfig(tensor_parallel_size=tensor_parallel_size,
                                                            pipeline_parallel_size=pipeline_parallel_size))


def reproduce():
    with tempfile.TemporaryDirectory() as folder:
        _engine_args(_model_folder(folder), tensor_parallel_size=3).create_engine_config()


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        _model_folder(folder)
        _verify(folder, tensor_parallel_size=2)                              # fix 1 (raises if still wrong)
        _verify(folder, tensor_parallel_size=1, pipeline_parallel_size=3)    # fix 2: pipeline parallelism instead

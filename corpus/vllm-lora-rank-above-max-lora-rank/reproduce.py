"""A LoRA adapter trained with PEFT at ``r=64`` is served by vLLM started with ``enable_lora=True`` and the default
``max_lora_rank`` (16). Before loading the adapter's weights, vLLM's LoRA worker manager reads its
``adapter_config.json`` (``PEFTHelper.from_local_dir``) and checks it against the engine's ``LoRAConfig``
(``PEFTHelper.validate_legal``): ``ValueError: LoRA rank 64 is greater than max_lora_rank 16.`` fixed() applies fix 0
(the engine's ``max_lora_rank`` raised to 64) and, apart, fix 2 (the adapter retrained at ``r=16``, the default cap
kept): the adapter passes the check each time.

A tiny model and a real PEFT adapter built here, in a temporary folder; nothing is downloaded and nothing runs on a
GPU. vLLM is not installed in the test environment: this runs in an overlay of vllm 0.34.0 (installed without its
dependencies: ``vllm.config`` imports pyzmq and aiohttp besides what the environment has); elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# importing vllm.config reaches vllm.distributed (pyzmq) and vllm.utils (aiohttp and its dependencies)
OVERLAY = ('vllm==0.34.0', 'pyzmq==27.3.0', 'aiohttp==3.14.5', 'multidict==7.2.1', 'yarl==1.25.1', 'propcache==0.5.4',
           'aiohappyeyeballs==2.7.1', 'aiosignal==1.4.0', 'frozenlist==1.8.0')
# PEFTHelper.from_local_dir / validate_legal (vllm >= 0.7); verified with vllm 0.34.0
REQUIRES = ("torch", "transformers", "peft", "pydantic", "zmq", "aiohttp", "vllm") + (
    () if release_within("vllm", (0, 34), (0, 35)) else ("kbfix_requires_vllm_0_34",))
FIXES = (0, 2)


def _load_adapter(rank, max_lora_rank=None):
    """A PEFT adapter of rank ``rank`` saved here, then the checks vLLM's LoRA worker manager runs on it before loading
    its weights, under an engine started with ``max_lora_rank`` (vLLM's default where None)."""
    from peft import LoraConfig, get_peft_model
    from vllm.config.lora import LoRAConfig
    from vllm.lora.peft_helper import PEFTHelper

    from kbfix.reproduce import tiny_llama

    model = tiny_llama()
    with tempfile.TemporaryDirectory() as folder:
        adapter = os.path.join(folder, "adapter")
        lora = LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=["q_proj", "v_proj"])
        get_peft_model(model, lora).save_pretrained(adapter)
        engine = LoRAConfig() if max_lora_rank is None else LoRAConfig(max_lora_rank=max_lora_rank)
        helper = PEFTHelper.from_local_dir(adapter, model.config.max_position_embeddings)
        helper.validate_legal(engine)


def reproduce():
    _load_adapter(64)


def fixed():
    _load_adapter(64, max_lora_rank=64)     # fix 0: the engine's cap raised to the adapter's rank (raises if still wrong)
    _load_adapter(16)                       # fix 2: the adapter retrained at a rank the default cap allows

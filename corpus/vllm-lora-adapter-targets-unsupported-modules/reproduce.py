"""A PEFT adapter trained on a Qwen2-architecture model with ``target_modules=["q_proj", "v_proj", "lm_head"]`` (a LoRA
on the output embedding, as mergekit's LoRA extraction or ``lora_target: all`` give) is served by vLLM with LoRA
enabled. vLLM builds its own Qwen2 model, wraps the layers its implementation can apply LoRA to (the linear layers;
this class declares no embedding modules, so not ``lm_head``), and its LoRA worker manager refuses the adapter before
loading it (``LoRAModel.from_local_checkpoint``): ``ValueError: While loading <adapter>, expected target modules in
{'q_proj', ..., 'down_proj'} but received ['lm_head', 'lm_head']. Please verify that the loaded LoRA module is
correct``. fixed() applies fix 0 (the adapter merged into the base with PEFT and the merged folder loaded by vLLM
without LoRA: its weights load into vLLM's model) and, apart, fix 1 (the adapter trained again on the attention
projections only: the same worker manager loads it).

A tiny model and real PEFT adapters are built here, in a temporary folder; nothing is downloaded and nothing runs on
a GPU: vLLM runs with its CPU platform (``VLLM_TARGET_DEVICE=cpu``) in one process with a one-rank gloo group, and
the engine is built up to the model and its LoRA manager (no KV cache, no generation). vLLM is not installed in the
test environment: this runs in an overlay of vllm 0.34.0 and the releases its engine config and model registry
import (installed without their dependencies); elsewhere the test skips it. vLLM 0.34's CPU platform refuses an x86
CPU without Triton when it builds the engine config; the overlay holds the triton wheel, and ``CUDA_VISIBLE_DEVICES``
is set empty while vLLM first imports it (vLLM then takes the missing GPU driver for a worker whose GPUs are not yet
visible instead of disabling Triton). Nothing here compiles or runs a Triton kernel.
"""

import os
import tempfile

from kbfix.reproduce import (VLLM_ENGINE_OVERLAY, VLLM_ENGINE_REQUIRES, import_vllm_on_cpu, release_within,
                             vllm_one_rank)

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VLLM_ENGINE_OVERLAY
# the check is in every vLLM release with LoRA (0.3 ..); this engine path (LRUCacheWorkerLoRAManager over the
# model vLLM builds) is verified with vllm 0.34.0
REQUIRES = VLLM_ENGINE_REQUIRES + ("peft", "safetensors") + (
    () if release_within("vllm", (0, 34), (0, 35)) else ("kbfix_requires_vllm_0_34",))
FIXES = (0, 1)


def _base(folder):
    """A tiny Qwen2-architecture model saved in ``folder`` (config and weights; no tokenizer: vLLM skips it here)."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    model = Qwen2ForCausalLM(Qwen2Config(hidden_size=64, intermediate_size=128, num_attention_heads=4,
                                         num_key_value_heads=2, num_hidden_layers=1, vocab_size=128,
                                         max_position_embeddings=64, architectures=["Qwen2ForCausalLM"])).to(torch.bfloat16)
    model.save_pretrained(folder)
    return model


def _adapter(model, folder, target_modules):
    from peft import LoraConfig, get_peft_model

    peft_model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=target_modules))
    peft_model.save_pretrained(folder)
    return peft_model


def _serve(model_folder, adapter_folder=None):
    """What ``vllm serve <model_folder> [--enable-lora --lora-modules a=<adapter_folder>]`` does up to the adapter's
    load: the engine config, a one-rank group, vLLM's own model with the folder's weights, the LoRA manager wrapped
    around it, and the worker adding the adapter (``add_adapter``: loaded, then activated in the manager)."""
    import_vllm_on_cpu()
    import torch
    from vllm.engine.arg_utils import EngineArgs
    from vllm.lora.request import LoRARequest
    from vllm.lora.worker_manager import LRUCacheWorkerLoRAManager
    from vllm.model_executor.model_loader import get_model_loader
    from vllm.model_executor.model_loader.utils import initialize_model
    from vllm.utils.torch_utils import set_default_torch_dtype

    config = EngineArgs(model=model_folder, skip_tokenizer_init=True, max_model_len=64,
                        enable_lora=adapter_folder is not None).create_engine_config()
    with vllm_one_rank(config):
        # DefaultModelLoader.load_model's steps, short of its final accelerator cache release (no GPU here)
        with set_default_torch_dtype(config.model_config.dtype), torch.device("cpu"):
            model = initialize_model(vllm_config=config, model_config=config.model_config)
        get_model_loader(config.load_config).load_weights(model, config.model_config)
        if adapter_folder is not None:
            workers = LRUCacheWorkerLoRAManager(config, torch.device("cpu"), model.embedding_modules)
            workers.create_lora_manager(model, config)
            assert workers.add_adapter(LoRARequest("adapter", 1, adapter_folder))   # what the engine calls


def reproduce():
    with tempfile.TemporaryDirectory() as folder:
        base, adapter = os.path.join(folder, "base"), os.path.join(folder, "adapter")
        _adapter(_base(base), adapter, ["q_proj", "v_proj", "lm_head"])
        _serve(base, adapter)


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        base, adapter, merged = (os.path.join(folder, name) for name in ("base", "adapter", "merged"))
        # fix 0: the same adapter merged into the base with PEFT, the merged folder served without LoRA
        _adapter(_base(base), adapter, ["q_proj", "v_proj", "lm_head"]).merge_and_unload().save_pretrained(merged)
        _serve(merged)
        # fix 1: the adapter trained again on the language model's projections only, served as a LoRA
        retrained = os.path.join(folder, "retrained")
        _adapter(_base(base), retrained, ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                          "down_proj"])
        _serve(base, retrained)

"""A TRL GRPO run with ``use_vllm=True`` in server mode (``vllm_mode="server"``, the mode TRL 0.16 - 0.29 default to)
is launched without a ``trl vllm-serve`` process: the trainer, a client of that server, polls its ``/health`` address
until ``vllm_server_timeout`` runs out and stops: ``ConnectionError: The vLLM server can't be reached at
http://0.0.0.0:<port> after 1.0 seconds. Make sure the server is running by running `vllm serve`.`` A tiny model and
tokenizer built here, a port nobody listens on, and a one-second timeout instead of 240 seconds; nothing is downloaded.

This reproducer shows the trigger only (``FIXES = ()``): the entry's fixes need vLLM really running, either as the
server on a GPU of its own (fix 0) or inside the trainer (``vllm_mode="colocate"``, fix 1), and vLLM's engine does not
run from PyPI's wheels on a CPU; a stand-in answering ``/health`` would prove nothing about them. fixed() therefore
applies no fix and only returns.

TRL and vLLM are not installed in the test environment: this runs in an overlay of trl 1.16.0 and vllm 0.34.0 (TRL's
client refuses to start without vLLM installed) with what their imports reach (installed without their dependencies);
elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays): trl,
# vllm and what importing TRL's GRPO trainer reaches through vllm (pyzmq, aiohttp and its dependencies, msgspec,
# cbor2, pillow, pybase64, cachetools, llguidance, xgrammar, apache-tvm-ffi, openai, jiter, openai-harmony, fastapi)
OVERLAY = ('trl==1.16.0', 'vllm==0.34.0', 'pyzmq==27.3.0', 'aiohttp==3.14.5', 'multidict==7.2.1', 'yarl==1.25.1',
           'propcache==0.5.4', 'aiohappyeyeballs==2.7.1', 'aiosignal==1.4.0', 'frozenlist==1.8.0', 'msgspec==0.23.0',
           'cbor2==6.3.0', 'pillow==13.0.0', 'pybase64==1.5.1', 'cachetools==8.0.3', 'llguidance==1.7.6',
           'xgrammar==0.2.8', 'apache-tvm-ffi==0.1.11', 'openai==3.63.0', 'jiter==0.19.0', 'openai-harmony==0.0.8',
           'fastapi==0.165.0')
# GRPOConfig's vllm_mode / vllm_server_timeout and VLLMClient.check_server: verified with trl 1.16.0, vllm 0.34.0
REQUIRES = ("torch", "transformers", "datasets", "accelerate", "requests", "zmq", "aiohttp", "msgspec", "cbor2", "PIL",
            "pybase64", "xgrammar", "openai", "openai_harmony", "fastapi", "vllm", "trl") + (
    () if release_within("trl", (1, 16), (1, 17)) and release_within("vllm", (0, 34), (0, 35))
    else ("kbfix_requires_trl_1_16_with_vllm_0_34",))
FIXES = ()


def reproduce():
    os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from kbfix.reproduce import free_port, tiny_llama, word_tokenizer

    tokenizer = word_tokenizer(["a", "b", "c", "d"])
    model = tiny_llama(vocab=len(tokenizer))
    prompts = Dataset.from_dict({"prompt": ["a b", "c d"]})
    with tempfile.TemporaryDirectory() as folder:
        args = GRPOConfig(output_dir=folder, use_vllm=True, vllm_mode="server", vllm_server_port=int(free_port()),
                          vllm_server_timeout=1.0, per_device_train_batch_size=2, num_generations=2,
                          max_completion_length=4, report_to=[], use_cpu=True)
        GRPOTrainer(model=model, reward_funcs=lambda completions, **kwargs: [0.0] * len(completions), args=args,
                    train_dataset=prompts, processing_class=tokenizer)


def fixed():
    """No fix is applied here (FIXES is empty): each needs vLLM running, which a CPU cannot do with PyPI's wheels."""

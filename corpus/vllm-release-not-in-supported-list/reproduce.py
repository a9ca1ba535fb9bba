"""A project still on verl 0.1 (as TinyZero and the projects copied from it are) meets the vLLM that ``pip install
vllm`` brings today. Importing verl's vLLM adapter (``from verl.third_party.vllm import LLM``, what verl's sharding
manager and vLLM rollout import) runs verl 0.1's own check of the installed distribution's version, which accepts only
0.3.1, 0.4.2, 0.5.4 and 0.6.3: ``ValueError: vllm version 0.34.0 not supported. Currently supported versions are 0.3.1,
0.4.2, 0.5.4 and 0.6.3.`` fixed() applies fix 1 (a verl release that supports the installed vLLM: verl 0.9.1, which
accepts 0.18.0 and later): the same import passes and verl hands back vLLM's own ``LLM`` class, vLLM imported for real
on its CPU platform. Fix 0 (installing vLLM 0.6.3, the release verl 0.1 lists) needs vLLM 0.6.3's CUDA build, which a
CPU cannot import; it is the fix's ``check``.

Each side runs in a fresh interpreter. verl and vLLM are not in the test environment: this runs in an overlay of verl
0.9.1 and vllm 0.34.0 with the modules their imports need (installed without their dependencies; the pins are the ones
other reproducers verified vLLM 0.34's import with), and verl 0.1 comes from ``SOURCES`` (its sdist, pure Python,
unpacked and put in front of ``PYTHONPATH`` for reproduce()). Nothing is downloaded at run time and nothing runs on a GPU.
"""

from kbfix.reproduce import failed, release_within, run_script, source_folder, succeeded

OLD = "verl==0.1"
SOURCES = (OLD,)
# releases this reproducer is verified with (scripts/verify.py --overlays): verl 0.9.1 and what its package imports,
# vllm 0.34.0 and what ``from vllm import LLM`` imports
OVERLAY = ("verl==0.9.1", "ray==2.60.0", "tensordict==0.10.0", "pyvers==0.2.3", "omegaconf==2.3.0",
           "antlr4-python3-runtime==4.9.3", "codetiming==1.4.0", "orjson==3.13.0",
           "vllm==0.34.0", "pyzmq==27.3.0", "aiohttp==3.14.5", "multidict==7.2.1", "yarl==1.25.1", "propcache==0.5.4",
           "aiohappyeyeballs==2.7.1", "aiosignal==1.4.0", "frozenlist==1.8.0", "msgspec==0.23.0", "cbor2==6.3.0",
           "pillow==13.0.0", "pybase64==1.5.1", "cachetools==8.0.3", "llguidance==1.7.6", "xgrammar==0.2.8",
           "apache-tvm-ffi==0.1.11", "openai==3.63.0", "jiter==0.19.0", "openai-harmony==0.0.8", "fastapi==0.165.0")
REQUIRES = ("torch", "verl", "vllm", "ray", "tensordict", "msgspec", "openai") + (
    () if release_within("verl", (0, 9), (0, 10)) and release_within("vllm", (0, 34), (0, 35))
    else ("kbfix_requires_verl_0_9_with_vllm_0_34",))
FIXES = (1,)

# vLLM on its CPU platform, no GPU visible, nothing fetched from the Hub
ENV = {"VLLM_TARGET_DEVICE": "cpu", "CUDA_VISIBLE_DEVICES": "", "HF_HUB_OFFLINE": "1"}

IMPORT_ROLLOUT = r'''
import importlib.metadata
import verl
print("verl", verl.__version__, "with vllm", importlib.metadata.version("vllm"), flush=True)
from verl.third_party.vllm import LLM      # what verl's sharding manager and vLLM rollout import
print("verl's vLLM adapter gives", LLM.__module__ + "." + LLM.__name__, flush=True)
'''


def reproduce():
    import os

    old = str(source_folder(OLD))
    path = os.pathsep.join(p for p in (old, os.environ.get("PYTHONPATH", "")) if p)
    output = failed(run_script(IMPORT_ROLLOUT, env={**ENV, "PYTHONPATH": path}, timeout=600))
    assert "verl 0.1 with vllm 0.34.0" in output, output
    return output


def fixed():
    return succeeded(run_script(IMPORT_ROLLOUT, env=ENV, timeout=600), "verl 0.9.1 with vllm 0.34.0", "vllm.entrypoints.llm.LLM")

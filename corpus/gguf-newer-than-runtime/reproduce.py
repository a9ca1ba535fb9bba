"""A Llama 3.1-style GGUF (with the ``rope_freqs.weight`` tensor that llama.cpp's converters write for
``rope_scaling = {"rope_type": "llama3"}`` since July 2024) loaded by a runtime whose bundled llama.cpp predates
that tensor, then by a newer release of the same runtime.

The runtime is GPT4All's Python package: its manylinux wheels ship prebuilt llama.cpp libraries (no compiler,
no GPU needed; the CUDA variants fail to load here and it falls back to the CPU one). gpt4all 2.7.0 (May 2024)
creates the llama architecture's tensors without ``rope_freqs`` and its loader stops with
``llama_model_load: error loading model: done_getting_tensors: wrong number of tensors; expected 13, got 12``
(GPT4All then prints ``LLAMA ERROR: failed to load model`` and generates nothing). fixed() applies fix 0, a newer
release of the runtime: gpt4all 2.8.2 (August 2024) loads the same file and generates.

The file is written by gguf-py's ``GGUFWriter`` (one llama block, hidden size 8, two heads, a byte-fallback
vocabulary of 285 tokens, random weights), so nothing is downloaded. Neither gguf nor gpt4all is in the test
environment: ``OVERLAY`` pins gguf and ``SOURCES`` names the two gpt4all releases, whose wheels
``scripts/verify.py --overlays`` unpacks (no sdist is published); without them the test skips this entry.
"""

from kbfix.reproduce import gpt4all_generate, succeeded

SOURCES = ("gpt4all==2.7.0", "gpt4all==2.8.2")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0,)

# what a current converter writes for a Llama 3.1 / 3.2 checkpoint: the llama architecture plus rope_freqs
# (head_dim 4 / 2 rope frequency factors)
WRITE = 'write_tiny_llama_gguf("tiny-llama-3.1.gguf", "tiny-llama-3.1", extra=[("rope_freqs.weight", np.ones(2, np.float32))])'


def _load(runtime: str) -> tuple[int, str]:
    return gpt4all_generate(runtime, WRITE, "tiny-llama-3.1.gguf")


def reproduce():
    """gpt4all 2.7.0: the old llama.cpp counts one tensor fewer than the file holds."""
    code, output = _load(SOURCES[0])
    assert "wrong number of tensors" in output, output
    return output


def fixed():
    """Fix 0, a newer runtime release: gpt4all 2.8.2 loads the same file."""
    output = succeeded(_load(SOURCES[1]), "gpt4all 2.8.2", "generated ")
    assert "error loading model" not in output, output
    return output

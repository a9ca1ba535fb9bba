"""A GGUF of a Llama-architecture model with tied embeddings (the checkpoint has no ``lm_head.weight``, so the file
holds ``token_embd.weight`` and no ``output.weight``, as convert_hf_to_gguf.py writes it for Llama 3.2 1B or
TinyLlama-style tied models) loaded by a runtime whose bundled llama.cpp predates the llama loader's fallback to
``token_embd.weight`` (llama.cpp PR #5824, March 2024), then the two fixes.

The runtime is GPT4All's Python package: its manylinux wheels ship prebuilt llama.cpp libraries (no compiler, no GPU
needed). gpt4all 2.3.2 (March 2024) creates the llama output head as a required tensor and its loader stops with
``llama_model_load: error loading model: create_tensor: tensor 'output.weight' not found`` (GPT4All then prints
``LLAMA ERROR: failed to load model`` and generates nothing). fixed() applies fix 0, a newer release of the runtime:
gpt4all 2.7.0 (May 2024) loads the same tied file and generates; and fix 2, the head untied into an explicit
``output.weight`` that is an exact copy of the embedding matrix, which the old gpt4all 2.3.2 loads and generates
with. The untied file is written directly with gguf-py (the tensors convert_hf_to_gguf.py writes for a folder whose
``lm_head.weight`` is the cloned embedding), not through the converter.

The files are written by gguf-py's ``GGUFWriter`` (one llama block, hidden size 8, two heads, a byte-fallback
vocabulary of 285 tokens, random weights), so nothing is downloaded. Neither gguf nor gpt4all is in the test
environment: ``OVERLAY`` pins gguf and ``SOURCES`` names the two gpt4all releases, whose wheels
``scripts/verify.py --overlays`` unpacks (no sdist is published); without them the test skips this entry.
"""

from kbfix.reproduce import gpt4all_generate, succeeded

SOURCES = ("gpt4all==2.3.2", "gpt4all==2.7.0")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0, 2)

# a tied checkpoint's file holds token_embd.weight only; fix 2 writes the head untied, an exact copy of the embedding
WRITE = '''
path = "tiny-llama-untied.gguf" if {untied!r} else "tiny-llama-tied.gguf"
write_tiny_llama_gguf(path, "tiny-llama-tied", head="copy" if {untied!r} else "tied")
names = [t.name for t in gguf.GGUFReader(path).tensors]
print(f"{{path}}: token_embd.weight {{'token_embd.weight' in names}}, output.weight {{'output.weight' in names}}",
      flush=True)
'''


def _load(runtime: str, untied: bool) -> tuple[int, str]:
    model_file = "tiny-llama-untied.gguf" if untied else "tiny-llama-tied.gguf"
    return gpt4all_generate(runtime, WRITE.format(untied=untied), model_file)


def reproduce():
    """gpt4all 2.3.2: the old llama loader requires output.weight, which the tied file does not hold."""
    code, output = _load(SOURCES[0], untied=False)
    assert "tensor 'output.weight' not found" in output, output
    return output


def fixed():
    """Fix 0: gpt4all 2.7.0 loads the same tied file. Fix 2: gpt4all 2.3.2 loads the file with the untied copy."""
    newer = succeeded(_load(SOURCES[1], untied=False), "gpt4all 2.7.0", "output.weight False", "generated ")
    untied = succeeded(_load(SOURCES[0], untied=True), "gpt4all 2.3.2", "output.weight True", "generated ")
    for output in (newer, untied):
        assert "error loading model" not in output and "generated 0 characters" not in output, output
    return newer + "\n" + untied

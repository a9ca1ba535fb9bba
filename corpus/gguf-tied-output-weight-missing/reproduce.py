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

import importlib.util
import os

from kbfix.reproduce import run_script, source_folder, succeeded

SOURCES = ("gpt4all==2.3.2", "gpt4all==2.7.0")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0, 2)

# runs in a fresh process (llama.cpp prints to the process's stderr), in a temporary folder
DRIVER = r'''
import sys
sys.path.insert(0, {gguf_folder!r})
import numpy as np
import gguf

UNTIED = {untied!r}
path = "tiny-llama-untied.gguf" if UNTIED else "tiny-llama-tied.gguf"
writer = gguf.GGUFWriter(path, "llama")
writer.add_name("tiny-llama-tied")
writer.add_context_length(32)
writer.add_embedding_length(8)
writer.add_block_count(1)
writer.add_feed_forward_length(16)
writer.add_head_count(2)
writer.add_head_count_kv(2)
writer.add_layer_norm_rms_eps(1e-5)
writer.add_tokenizer_model("llama")
tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
tokens += ["\u2581" + chr(97 + i) for i in range(13)] + [chr(97 + i) for i in range(13)]
writer.add_token_list(tokens)
writer.add_token_scores([0.0] * len(tokens))
writer.add_token_types([2, 3, 3] + [6] * 256 + [1] * 26)
writer.add_bos_token_id(1)
writer.add_eos_token_id(2)
writer.add_unk_token_id(0)
rng = np.random.default_rng(0)
dense = lambda *shape: rng.standard_normal(shape).astype(np.float32)
vocab, embed, ff = len(tokens), 8, 16
embedding = dense(vocab, embed)
# a tied checkpoint: the head is the embedding, and the file holds token_embd.weight only
writer.add_tensor("token_embd.weight", embedding)
writer.add_tensor("output_norm.weight", np.ones(embed, np.float32))
if UNTIED:   # fix 2: the head untied as an exact copy of the embedding
    writer.add_tensor("output.weight", embedding.copy())
writer.add_tensor("blk.0.attn_norm.weight", np.ones(embed, np.float32))
for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
    writer.add_tensor(f"blk.0.{{name}}.weight", dense(embed, embed))
writer.add_tensor("blk.0.ffn_norm.weight", np.ones(embed, np.float32))
writer.add_tensor("blk.0.ffn_gate.weight", dense(ff, embed))
writer.add_tensor("blk.0.ffn_up.weight", dense(ff, embed))
writer.add_tensor("blk.0.ffn_down.weight", dense(embed, ff))
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
names = [t.name for t in gguf.GGUFReader(path).tensors]
print(f"{{path}}: token_embd.weight {{'token_embd.weight' in names}}, output.weight {{'output.weight' in names}}",
      flush=True)

sys.path.insert(0, {runtime_folder!r})
from importlib.metadata import version
from gpt4all import GPT4All

print("gpt4all", version("gpt4all"), flush=True)
model = GPT4All(path, model_path=".", allow_download=False, device="cpu", n_ctx=32)
text = model.generate("ab", max_tokens=3)
print(f"generated {{len(text)}} characters", flush=True)
'''


def _load(runtime: str, untied: bool) -> tuple[int, str]:
    gguf_folder = os.path.dirname(os.path.dirname(importlib.util.find_spec("gguf").origin))
    script = DRIVER.format(gguf_folder=gguf_folder, runtime_folder=str(source_folder(runtime)), untied=untied)
    return run_script(script, env={"HF_HUB_OFFLINE": "1"}, timeout=200)


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

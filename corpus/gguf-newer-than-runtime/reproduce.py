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

import importlib.util
import os

from kbfix.reproduce import run_script, source_folder, succeeded

SOURCES = ("gpt4all==2.7.0", "gpt4all==2.8.2")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0,)

# runs in a fresh process (llama.cpp prints to the process's stderr), in a temporary folder
DRIVER = r'''
import sys
sys.path.insert(0, {gguf_folder!r})
import numpy as np
import gguf

# what a current converter writes for a Llama 3.1 / 3.2 checkpoint: the llama architecture plus rope_freqs
writer = gguf.GGUFWriter("tiny-llama-3.1.gguf", "llama")
writer.add_name("tiny-llama-3.1")
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
writer.add_tensor("token_embd.weight", dense(vocab, embed))
writer.add_tensor("output_norm.weight", np.ones(embed, np.float32))
writer.add_tensor("output.weight", dense(vocab, embed))
writer.add_tensor("blk.0.attn_norm.weight", np.ones(embed, np.float32))
for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
    writer.add_tensor(f"blk.0.{{name}}.weight", dense(embed, embed))
writer.add_tensor("blk.0.ffn_norm.weight", np.ones(embed, np.float32))
writer.add_tensor("blk.0.ffn_gate.weight", dense(ff, embed))
writer.add_tensor("blk.0.ffn_up.weight", dense(ff, embed))
writer.add_tensor("blk.0.ffn_down.weight", dense(embed, ff))
writer.add_tensor("rope_freqs.weight", np.ones(2, np.float32))   # head_dim 4 / 2 rope frequency factors
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()

sys.path.insert(0, {runtime_folder!r})
from importlib.metadata import version
from gpt4all import GPT4All

print("gpt4all", version("gpt4all"), flush=True)
model = GPT4All("tiny-llama-3.1.gguf", model_path=".", allow_download=False, device="cpu", n_ctx=32)
text = model.generate("ab", max_tokens=3)
print(f"generated {{len(text)}} characters", flush=True)
'''


def _load(runtime: str) -> tuple[int, str]:
    gguf_folder = os.path.dirname(os.path.dirname(importlib.util.find_spec("gguf").origin))
    script = DRIVER.format(gguf_folder=gguf_folder, runtime_folder=str(source_folder(runtime)))
    return run_script(script, env={"HF_HUB_OFFLINE": "1"}, timeout=200)


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

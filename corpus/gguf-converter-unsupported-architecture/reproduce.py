"""llama.cpp's ``convert_hf_to_gguf.py`` from a checkout older than the model's architecture, on a tiny Qwen3.

Qwen3ForCausalLM came to llama.cpp in April 2025. The converter vendored in llama-cpp-python 0.3.8 (March 2025)
has no class registered for it, so it logs ``ERROR:hf-to-gguf:Model Qwen3ForCausalLM is not supported`` and exits 1
before converting anything; the converter of llama-cpp-python 0.3.36 (``conversion/qwen.py``) exports the same
folder. (0.3.16's converter would do too, but imports ``mistral_common`` unconditionally, which the converter's
own requirements install and this environment lacks; later releases made that import optional.)

The model folder is what a fine-tune saves: ``Qwen3ForCausalLM.save_pretrained`` of a tiny config (hidden size
16, one layer, Qwen's 151936-token vocabulary) and Qwen2's real byte-level BPE tokenizer, rebuilt with
``tokenizers`` from the vocabulary and merges llama.cpp ships for its tokenizer tests
(``models/ggml-vocab-qwen2.gguf``), so the newer converter recognises its pre-tokenizer by hash (``qwen2``)
as it does for the real model. Nothing is downloaded.

Both converters run as real scripts in fresh interpreters, each with its own ``gguf-py``; the sdists come from
``SOURCES`` (``scripts/verify.py --overlays`` downloads and unpacks them, without building anything). The newer
converter reads a BPE vocabulary only after trying ``tokenizer.model`` with sentencepiece, one of its
requirements (``requirements-convert_hf_to_gguf.txt``), pinned in ``OVERLAY``. fixed() applies fix 0: the
updated llama.cpp, on the same folder.
"""

import os
import tempfile

from kbfix.reproduce import failed, run_script, source_folder, succeeded

OLD = "llama-cpp-python==0.3.8"
NEW = "llama-cpp-python==0.3.36"
SOURCES = (OLD, NEW)
OVERLAY = ("sentencepiece==0.2.1",)
REQUIRES = ("torch", "transformers", "tokenizers", "safetensors", "numpy", "sentencepiece")
FIXES = (0,)

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

# a tiny Qwen3 fine-tune's folder: config.json, model.safetensors, Qwen2's tokenizer
BUILD = r'''
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
llama_cpp = os.path.join(src, "vendor", "llama.cpp")
sys.path.insert(0, os.path.join(llama_cpp, "gguf-py"))
import gguf

reader = gguf.GGUFReader(os.path.join(llama_cpp, "models", "ggml-vocab-qwen2.gguf"))
def values(key):
    field = reader.fields[key]
    return [field.parts[i] for i in field.data]
tokens = [bytes(p).decode("utf-8") for p in values("tokenizer.ggml.tokens")]
types = [int(p[0]) for p in values("tokenizer.ggml.token_type")]  # 1 normal, 3 control, 4 padding
merges = [tuple(bytes(p).decode("utf-8").split(" ", 1)) for p in values("tokenizer.ggml.merges")]

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
SPLIT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
tok = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens) if types[i] == 1}, merges, byte_fallback=False))
tok.normalizer = normalizers.NFC()
tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(SPLIT), behavior="isolated", invert=False),
                                             pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
tok.decoder = decoders.ByteLevel()
tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for i, t in enumerate(tokens) if types[i] == 3])
os.makedirs(out, exist_ok=True)
tok.save(os.path.join(out, "tokenizer.json"))
with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
    json.dump({"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
               "bos_token": None, "unk_token": None, "model_max_length": 32768}, f)

import torch
from transformers import Qwen3Config, Qwen3ForCausalLM
torch.manual_seed(0)
config = Qwen3Config(vocab_size=len(tokens), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=64,
                     tie_word_embeddings=True, eos_token_id=151645, pad_token_id=151643)
Qwen3ForCausalLM(config).save_pretrained(out)
print("saved", sorted(os.listdir(out)), flush=True)
'''

# llama.cpp's converter as the user runs it: python convert_hf_to_gguf.py <model> --outfile <file>
CONVERT = r'''
import os, runpy, sys
src, model, outfile = sys.argv[1:4]
llama_cpp = os.path.join(src, "vendor", "llama.cpp")
sys.path[:0] = [llama_cpp, os.path.join(llama_cpp, "gguf-py")]  # its own gguf-py, as after pip install ./gguf-py
script = os.path.join(llama_cpp, "convert_hf_to_gguf.py")
sys.argv = [script, model, "--outfile", outfile, "--outtype", "f32"]
runpy.run_path(script, run_name="__main__")
'''

_work: list = []  # one temporary folder for both runs, removed when the interpreter exits


def _model_folder() -> str:
    """The model folder, built once (reproduce() and fixed() convert the same files)."""
    if not _work:
        _work.append(tempfile.TemporaryDirectory(prefix="kbfix-gguf-arch-"))
    model = os.path.join(_work[0].name, "qwen3-finetune")
    if not os.path.exists(os.path.join(model, "model.safetensors")):
        succeeded(run_script(BUILD, args=(str(source_folder(NEW)), model), env=OFFLINE, timeout=600), "saved")
    return model


def _convert(requirement: str) -> tuple[int, str]:
    model = _model_folder()
    outfile = os.path.join(_work[0].name, source_folder(requirement).name + ".gguf")
    return run_script(CONVERT, args=(str(source_folder(requirement)), model, outfile), env=OFFLINE, timeout=600)


def reproduce():
    output = failed(_convert(OLD))
    assert "Model Qwen3ForCausalLM is not supported" in output, output
    return output


def fixed():
    return succeeded(_convert(NEW), "Model architecture: Qwen3ForCausalLM", "Model successfully exported")

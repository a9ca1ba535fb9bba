"""A fine-tuned model's tokenizer.json saved by tokenizers >= 0.20 stores its BPE merges as ["a", "b"] pairs.
llama.cpp's converter as vendored in llama-cpp-python 0.3.0 (September 2024, before llama.cpp PR #9696) reads the
merges through gguf-py's SpecialVocab, which accepts only "a b" strings: it logs
"WARNING:gguf.vocab:Adding merges requested but no merges found, output may be non-functional.", finishes the
conversion, and the written .gguf has no tokenizer.ggml.merges key (the key whose absence llama.cpp / ollama later
report as "cannot find tokenizer merges in model file"; the C++ loader is not run here).

The tokenizer is GPT-2's, rebuilt with the installed `tokenizers` from the vocabulary and merges llama.cpp ships
(vendor/llama.cpp/models/ggml-vocab-gpt-2.gguf), so the converter knows its pre-tokenizer hash ("gpt-2"); the
weights are a tiny Llama built from a config. fixed() applies fix 0 (the same folder converted by the converter and
gguf-py of llama-cpp-python 0.3.16, which read the pair form) and fix 1 (the merges rewritten as strings, converted
by the old 0.3.0 converter): both write tokenizer.ggml.merges. The 0.3.16 converter imports mistral_common (and
through it pillow, pydantic_extra_types, pycountry, tiktoken, sentencepiece): OVERLAY pins them
(scripts/verify.py --overlays); without them or without the unpacked sdists the test is skipped. Nothing is
downloaded.
"""

from kbfix.reproduce import run_script, source_folder, succeeded

SOURCES = ("llama-cpp-python==0.3.0", "llama-cpp-python==0.3.16")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("mistral_common==1.8.3", "pillow==11.3.0", "pydantic-extra-types==2.10.5", "pycountry==24.6.1",
           "tiktoken==0.11.0", "sentencepiece==0.2.0")
REQUIRES = ("torch", "transformers", "tokenizers", "safetensors", "mistral_common", "tiktoken", "sentencepiece")
FIXES = (0, 1)

# runs in a fresh process, in a temporary folder: builds finetuned/, then runs the real converter of LLAMA_CPP
DRIVER = r'''
import json, subprocess, sys
from pathlib import Path

CONVERTER = Path({converter!r})      # the llama.cpp whose convert_hf_to_gguf.py (and own gguf-py) converts
READER = Path({reader!r})            # a current gguf-py, only to read .gguf files here (old readers need numpy 1)
STRING_MERGES = {string_merges!r}
sys.path.insert(0, str(READER / "gguf-py"))
import gguf
import tokenizers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast


def strings(field):
    return [bytes(field.parts[i]).decode("utf-8") for i in field.data]


vocab_file = gguf.GGUFReader(READER / "models" / "ggml-vocab-gpt-2.gguf")
tokens = strings(vocab_file.fields["tokenizer.ggml.tokens"])
merges = [tuple(m.split(" ")) for m in strings(vocab_file.fields["tokenizer.ggml.merges"])]

core = Tokenizer(models.BPE({{t: i for i, t in enumerate(tokens)}}, merges))
core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
core.decoder = decoders.ByteLevel()
core.post_processor = processors.ByteLevel(trim_offsets=False)
PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<|endoftext|>",
                        eos_token="<|endoftext|>").save_pretrained("finetuned")
saved = json.load(open("finetuned/tokenizer.json", encoding="utf-8"))
first = saved["model"]["merges"][0]
print(f"tokenizers {{tokenizers.__version__}} saved merges like {{first!r}}", flush=True)
if STRING_MERGES:                       # fix 1: rewrite the merges as "a b" strings
    saved["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in saved["model"]["merges"]]
    json.dump(saved, open("finetuned/tokenizer.json", "w", encoding="utf-8"), ensure_ascii=False)

import torch
torch.manual_seed(0)
config = LlamaConfig(vocab_size=len(tokens), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32,
                     bos_token_id=50256, eos_token_id=50256)
LlamaForCausalLM(config).save_pretrained("finetuned")

# the converter runs as a script: its own folder's gguf-py comes first on its path
done = subprocess.run([sys.executable, str(CONVERTER / "convert_hf_to_gguf.py"), "finetuned", "--outtype", "f32",
                       "--outfile", "model-f32.gguf"], capture_output=True, text=True)
print(done.stdout + done.stderr, flush=True)
if done.returncode:
    sys.exit(done.returncode)
fields = gguf.GGUFReader("model-f32.gguf").fields
print(f"tokenizer.ggml.merges in model-f32.gguf: {{'tokenizer.ggml.merges' in fields}}", flush=True)
'''


def _convert(release: str, string_merges: bool) -> tuple[int, str]:
    converter = source_folder(release) / "vendor" / "llama.cpp"
    reader = source_folder(SOURCES[1]) / "vendor" / "llama.cpp"
    return run_script(DRIVER.format(converter=str(converter), reader=str(reader), string_merges=string_merges),
                      env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}, timeout=400)


def reproduce():
    out = succeeded(_convert(SOURCES[0], string_merges=False), "tokenizer.ggml.merges in model-f32.gguf: False")
    if "Adding merges requested but no merges found" not in out:
        raise AssertionError("the old converter did not warn about the missing merges:\n" + out[-3000:])
    return out


def fixed():
    updated = succeeded(_convert(SOURCES[1], string_merges=False), "tokenizer.ggml.merges in model-f32.gguf: True")
    rewritten = succeeded(_convert(SOURCES[0], string_merges=True), "tokenizer.ggml.merges in model-f32.gguf: True")
    return updated + "\n" + rewritten

"""llama.cpp's convert_hf_to_gguf.py (as vendored in llama-cpp-python 0.3.16) identifies a BPE tokenizer's
pre-tokenizer by hashing the ids it gives a fixed test text (chkhsh) and looking the hash up in
get_vocab_base_pre(). The "base" tokenizer here is GPT-2's, rebuilt with `tokenizers` from the vocabulary and
merges llama.cpp itself ships (vendor/llama.cpp/models/ggml-vocab-gpt-2.gguf): its hash is the one the converter
knows as "gpt-2". The "fine-tuned" folder holds a tiny Llama whose saved tokenizer is that tokenizer with its
pre-tokenizer edited (ByteLevel add_prefix_space=True, as a fine-tuning script sets it): the ids of the test
text change, the hash is unknown, and the converter prints its warning box and raises
"NotImplementedError: BPE pre-tokenizer was not recognized - update get_vocab_base_pre()". fixed() applies
fix 1: the base model's tokenizer files are saved with the weights, and the same folder converts, with
tokenizer.ggml.pre = "gpt-2" in the written .gguf. (The edit changes the ids of a text's first word: the copy
converts, but whether the weights were trained with the base's ids is the user's check, hence "unsafe".)

The converter imports mistral_common (and through it pillow, pydantic_extra_types, pycountry, tiktoken,
sentencepiece), which the test environment lacks: OVERLAY pins them (scripts/verify.py --overlays); without
them or without the unpacked sdist the test is skipped. Nothing is downloaded.
"""

from kbfix.reproduce import failed, run_script, source_folder, succeeded

SOURCES = ("llama-cpp-python==0.3.16",)
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("mistral_common==1.8.3", "pillow==11.3.0", "pydantic-extra-types==2.10.5", "pycountry==24.6.1",
           "tiktoken==0.11.0", "sentencepiece==0.2.0")
REQUIRES = ("torch", "transformers", "tokenizers", "safetensors", "mistral_common", "tiktoken", "sentencepiece")
FIXES = (1,)

# runs in a fresh process, in a temporary folder: builds base/ and finetuned/, then runs the real converter
DRIVER = r'''
import os, runpy, shutil, sys
from pathlib import Path

LLAMA_CPP = Path({llama_cpp!r})
COPY_BASE_TOKENIZER = {fix!r}
sys.path.insert(0, str(LLAMA_CPP / "gguf-py"))
import gguf
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

vocab_file = gguf.GGUFReader(LLAMA_CPP / "models" / "ggml-vocab-gpt-2.gguf")
tokens = vocab_file.fields["tokenizer.ggml.tokens"].contents()
merges = [tuple(m.split(" ")) for m in vocab_file.fields["tokenizer.ggml.merges"].contents()]


def save_tokenizer(folder, add_prefix_space):
    core = Tokenizer(models.BPE({{t: i for i, t in enumerate(tokens)}}, merges))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space)
    core.decoder = decoders.ByteLevel()
    core.post_processor = processors.ByteLevel(trim_offsets=False)
    PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<|endoftext|>",
                            eos_token="<|endoftext|>").save_pretrained(folder)


import torch
torch.manual_seed(0)
config = LlamaConfig(vocab_size=len(tokens), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32,
                     bos_token_id=50256, eos_token_id=50256)
LlamaForCausalLM(config).save_pretrained("finetuned")
save_tokenizer("base", add_prefix_space=False)        # the base model's tokenizer (GPT-2's)
save_tokenizer("finetuned", add_prefix_space=True)    # the fine-tune saved it with its pre-tokenizer edited

if COPY_BASE_TOKENIZER:                               # fix 1: save the base's tokenizer files with the weights
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if Path("base", name).exists():
            shutil.copy(Path("base", name), Path("finetuned", name))

sys.argv = ["convert_hf_to_gguf.py", "finetuned", "--outtype", "f32", "--outfile", "model-f32.gguf"]
runpy.run_path(str(LLAMA_CPP / "convert_hf_to_gguf.py"), run_name="__main__")
pre = gguf.GGUFReader("model-f32.gguf").fields["tokenizer.ggml.pre"].contents()
print(f"tokenizer.ggml.pre = {{pre}}")
'''


def _convert(fix: bool) -> tuple[int, str]:
    llama_cpp = source_folder(SOURCES[0]) / "vendor" / "llama.cpp"
    return run_script(DRIVER.format(llama_cpp=str(llama_cpp), fix=fix),
                      env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}, timeout=400)


def reproduce():
    return failed(_convert(fix=False))


def fixed():
    return succeeded(_convert(fix=True), "Model successfully exported", "tokenizer.ggml.pre = gpt-2")

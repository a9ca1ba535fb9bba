"""A LoRA adapter trained with ``modules_to_save=["lm_head", "embed_tokens"]`` (axolotl ``lora_modules_to_save``,
LLaMA-Factory ``resize_vocab`` / ``additional_target``) is saved by PEFT with full copies of those layers beside
the LoRA pairs (``base_model.model.lm_head.weight``, ``base_model.model.model.embed_tokens.weight``). llama.cpp's
real ``convert_lora_to_gguf.py`` (from llama-cpp-python 0.3.16's sdist) is run on it against the tiny base model's
folder and stops with "Unexpected name 'base_model.model.lm_head.weight': Not a lora_A or lora_B tensor" and
"Embeddings is present in the adapter". fixed() merges that adapter into the base model with PEFT and converts the
merged folder with ``convert_hf_to_gguf.py`` (fix 0), and converts an adapter trained without ``modules_to_save``,
which holds only lora_A / lora_B tensors, with ``convert_lora_to_gguf.py`` (fix 1).

llama.cpp's converters import mistral_common (and, through it, pillow, pydantic-extra-types, pycountry, tiktoken
and sentencepiece), which the test environment does not install: OVERLAY pins them, and the tiny base model's
SentencePiece ``tokenizer.model`` is trained here with that sentencepiece. Nothing downloads (HF_HUB_OFFLINE=1).
"""

import shutil
import tempfile
from pathlib import Path

from kbfix.reproduce import failed, llama_cpp_convert, succeeded, tiny_llama_with_sentencepiece

SOURCES = ("llama-cpp-python==0.3.16",)
OVERLAY = ("mistral_common==1.8.3", "pillow==11.3.0", "pydantic-extra-types==2.10.5", "pycountry==24.6.1",
           "tiktoken==0.11.0", "sentencepiece==0.2.0")
REQUIRES = ("torch", "transformers", "peft", "safetensors", "mistral_common", "sentencepiece")
FIXES = (0, 1)

EXPORTED = "Model successfully exported"
SENTENCES = ["the adapter holds only low rank pairs", "a merged model converts to gguf", "lora on llama"]


def _convert(script: str, *args: str) -> tuple[int, str]:
    return llama_cpp_convert(SOURCES[0], script, *args)


def _base(folder: Path):
    """A tiny Llama saved with a SentencePiece tokenizer.model, as a base model folder holds them."""
    return tiny_llama_with_sentencepiece(folder, SENTENCES)


def _adapter(base, folder: Path, modules_to_save):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], modules_to_save=modules_to_save)
    get_peft_model(base, config).save_pretrained(folder)


def reproduce():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _adapter(_base(tmp / "base"), tmp / "adapter", ["lm_head", "embed_tokens"])
        return failed(_convert("convert_lora_to_gguf.py", str(tmp / "adapter"), "--base", str(tmp / "base"),
                               "--outfile", str(tmp / "adapter.gguf")))


def fixed():
    from peft import PeftModel
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM

    shown = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _adapter(_base(tmp / "base"), tmp / "adapter", ["lm_head", "embed_tokens"])
        # fix 0: merge the adapter (its full lm_head / embed_tokens included) and convert the merged model
        base = AutoModelForCausalLM.from_pretrained(tmp / "base")
        PeftModel.from_pretrained(base, tmp / "adapter").merge_and_unload().save_pretrained(tmp / "merged")
        shutil.copy(tmp / "base" / "tokenizer.model", tmp / "merged" / "tokenizer.model")
        shown.append(succeeded(_convert("convert_hf_to_gguf.py", str(tmp / "merged"),
                                        "--outfile", str(tmp / "merged.gguf")), EXPORTED))
        # fix 1: an adapter trained without modules_to_save holds only LoRA pairs and converts as an adapter
        _adapter(AutoModelForCausalLM.from_pretrained(tmp / "base"), tmp / "lora-only", None)
        with safe_open(str(tmp / "lora-only" / "adapter_model.safetensors"), "pt") as f:
            assert all(".lora_A." in k or ".lora_B." in k for k in f.keys()), list(f.keys())
        shown.append(succeeded(_convert("convert_lora_to_gguf.py", str(tmp / "lora-only"), "--base",
                                        str(tmp / "base"), "--outfile", str(tmp / "lora-only.gguf")), EXPORTED))
    return "".join(shown)

"""A DoRA adapter (PEFT ``use_dora=True``: a ``lora_magnitude_vector`` beside each layer's ``lora_A`` / ``lora_B``)
given to llama.cpp's real ``convert_lora_to_gguf.py`` (from llama-cpp-python 0.3.16's sdist), which knows only
plain LoRA pairs: it stops with "Unexpected name 'base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector':
Not a lora_A or lora_B tensor". fixed() merges the DoRA adapter into the base model with PEFT and converts the merged
folder with ``convert_hf_to_gguf.py`` (fix 0), and converts a plain LoRA adapter (``use_dora=False``), which holds
only lora_A / lora_B tensors, with ``convert_lora_to_gguf.py`` (fix 1).

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
SENTENCES = ["the adapter rescales each column", "a merged model converts to gguf", "dora on llama"]


def _convert(script: str, *args: str) -> tuple[int, str]:
    return llama_cpp_convert(SOURCES[0], script, *args)


def _base(folder: Path):
    """A tiny Llama saved with a SentencePiece tokenizer.model, as a base model folder holds them."""
    return tiny_llama_with_sentencepiece(folder, SENTENCES)


def _adapter(base, folder: Path, use_dora: bool):
    import torch
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], use_dora=use_dora)
    model = get_peft_model(base, config)
    with torch.no_grad():   # as after training: lora_B no longer zero, so the adapter changes the model
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(std=0.02)
    model.save_pretrained(folder)


def reproduce():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _adapter(_base(tmp / "base"), tmp / "dora", use_dora=True)
        return failed(_convert("convert_lora_to_gguf.py", str(tmp / "dora"), "--base", str(tmp / "base"),
                               "--outfile", str(tmp / "dora.gguf")))


def fixed():
    from peft import PeftModel
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM

    shown = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _adapter(_base(tmp / "base"), tmp / "dora", use_dora=True)
        # fix 0: merge the DoRA adapter (magnitudes applied) into the base and convert the merged model
        base = AutoModelForCausalLM.from_pretrained(tmp / "base")
        PeftModel.from_pretrained(base, tmp / "dora").merge_and_unload().save_pretrained(tmp / "merged")
        with safe_open(str(tmp / "merged" / "model.safetensors"), "pt") as f:
            assert not any("lora_" in k for k in f.keys()), list(f.keys())
        shutil.copy(tmp / "base" / "tokenizer.model", tmp / "merged" / "tokenizer.model")
        shown.append(succeeded(_convert("convert_hf_to_gguf.py", str(tmp / "merged"),
                                        "--outfile", str(tmp / "merged.gguf")), EXPORTED))
        # fix 1: a plain LoRA adapter holds only LoRA pairs and converts as an adapter
        _adapter(AutoModelForCausalLM.from_pretrained(tmp / "base"), tmp / "lora", use_dora=False)
        with safe_open(str(tmp / "lora" / "adapter_model.safetensors"), "pt") as f:
            assert all(".lora_A." in k or ".lora_B." in k for k in f.keys()), list(f.keys())
        shown.append(succeeded(_convert("convert_lora_to_gguf.py", str(tmp / "lora"), "--base",
                                        str(tmp / "base"), "--outfile", str(tmp / "lora.gguf")), EXPORTED))
    return "".join(shown)

"""CTranslate2's Transformers converter from a release older than the model's architecture, on a tiny Qwen2.

ctranslate2 registered a loader for ``Qwen2Config`` in 4.6.0 (October 2024: ``@register_loader("Qwen2Config")`` in
``converters/transformers.py``). The converter of 4.5.0 reads the folder's config with ``AutoConfig``, finds no loader
for ``Qwen2Config`` and raises ``ValueError: No conversion is registered for the model configuration Qwen2Config
(supported configurations are: ...)`` before loading any weight; the converter of 4.8.5 converts the same folder, and
its ``Generator`` runs the result.

The model folder is what a fine-tune saves: ``Qwen2ForCausalLM.save_pretrained`` of a tiny config (hidden size 16,
one layer) and a word-level fast tokenizer built with ``tokenizers``. Nothing is downloaded (HF_HUB_OFFLINE=1).

Both converters run as the CLI does (``ct2-transformers-converter --model ... --output_dir ...``: its ``main``) in
fresh interpreters. ctranslate2 ships only wheels; the newer
release is the ``OVERLAY`` (``scripts/verify.py --overlays`` installs it aside), the older one comes from ``SOURCES``
(its wheel unpacked, since there is no sdist) and goes in front of ``PYTHONPATH`` for reproduce(). fixed() applies
fix 0: the upgraded ctranslate2, on the same folder.
"""

import os
import tempfile

from kbfix.reproduce import failed, run_script, source_folder, succeeded

OLD = "ctranslate2==4.5.0"
SOURCES = (OLD,)
OVERLAY = ("ctranslate2==4.8.5",)
REQUIRES = ("ctranslate2", "torch", "transformers", "tokenizers", "safetensors", "numpy", "yaml")
FIXES = (0,)

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

# a tiny Qwen2 fine-tune's folder: config.json, model.safetensors, tokenizer files
BUILD = r'''
import os, sys
out = sys.argv[1]
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

words = "the model was fine tuned on a few short words".split()
vocab = {"<|endoftext|>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(sorted(set(words)))}}
core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<|endoftext|>",
                                    eos_token="<|endoftext|>", pad_token="<|endoftext|>")
torch.manual_seed(0)
config = Qwen2Config(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                     tie_word_embeddings=False, bos_token_id=0, eos_token_id=0, pad_token_id=0)
Qwen2ForCausalLM(config).save_pretrained(out)
tokenizer.save_pretrained(out)
print("saved", sorted(os.listdir(out)), flush=True)
'''

# ct2-transformers-converter --model <folder> --output_dir <out>, then the converted model in a Generator
CONVERT = r'''
import sys
model, out = sys.argv[1:3]
import ctranslate2
from ctranslate2.converters.transformers import main   # what the ct2-transformers-converter script runs
print("ctranslate2", ctranslate2.__version__, flush=True)
sys.argv = ["ct2-transformers-converter", "--model", model, "--output_dir", out, "--force"]
main()
generator = ctranslate2.Generator(out, device="cpu")
result = generator.generate_batch([["the", "model"]], max_length=3, sampling_topk=1)
print("generated", result[0].sequences[0], flush=True)
'''

_work: list = []  # one temporary folder for both runs, removed when the interpreter exits


def _model_folder() -> str:
    """The model folder, built once (reproduce() and fixed() convert the same files)."""
    if not _work:
        _work.append(tempfile.TemporaryDirectory(prefix="kbfix-ct2-arch-"))
    model = os.path.join(_work[0].name, "qwen2-finetune")
    if not os.path.exists(os.path.join(model, "model.safetensors")):
        succeeded(run_script(BUILD, args=(model,), env=OFFLINE, timeout=600), "saved")
    return model


def _convert(name: str, env: dict) -> tuple[int, str]:
    model = _model_folder()
    out = os.path.join(_work[0].name, name)
    return run_script(CONVERT, args=(model, out), env={**OFFLINE, **env}, timeout=600)


def reproduce():
    old = str(source_folder(OLD))
    path = os.pathsep.join(p for p in (old, os.environ.get("PYTHONPATH", "")) if p)
    output = failed(_convert("ct2-old", {"PYTHONPATH": path}))
    assert "ctranslate2 4.5.0" in output and "model configuration Qwen2Config" in output, output
    return output


def fixed():
    return succeeded(_convert("ct2-new", {}), "generated")

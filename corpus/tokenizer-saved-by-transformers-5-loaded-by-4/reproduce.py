"""A fine-tuned model folder whose tokenizer files were saved by transformers 5 (ms-swift 4, LLaMA-Factory 0.9.5 or
Unsloth running on transformers >= 5, or a hub repo re-exported with it), then loaded by transformers 4.x: vLLM
(which pins transformers < 5), mlx-lm / mlx-vlm on 4.57, an older training environment.

transformers 5 saves every fast tokenizer whose model has no dedicated class with
``"tokenizer_class": "TokenizersBackend"`` (its generic tokenizers-backed class; checked with the installed 5.25:
``PreTrainedTokenizerFast(...).save_pretrained`` writes that name). transformers 4.x AutoTokenizer.from_pretrained
(tokenization_auto.py: ``tokenizer_class_from_name(tokenizer_class_candidate)`` is None) raises
``ValueError: Tokenizer class TokenizersBackend does not exist or is not currently imported.`` The folder is written
here as transformers 5 writes it, by hand, so that the 4.x overlay (verified with 4.46.3) only reads it; elsewhere
REQUIRES names a module that cannot exist. fixed(): fix 0, the class name set back to PreTrainedTokenizerFast, the
4.x name of the same tokenizers-backed class; the tokenizer.json is unchanged and encodes the same ids.
CPU only, nothing downloaded.
"""

import json
import os
import tempfile

from kbfix.reproduce import release_within

OVERLAY = ("transformers==4.46.3", "tokenizers==0.20.3", "huggingface_hub==0.34.4")
OLD = "kbfix_requires_transformers_4_x"
REQUIRES = ("transformers", "tokenizers") + (() if release_within("transformers", (4, 0), (5, 0)) else (OLD,))
FIXES = (0,)


def _folder(tokenizer_class: str) -> str:
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = ["<|endoftext|>", "hello", "world"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<|endoftext|>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    folder = tempfile.mkdtemp(prefix="kbfix-tokenizer-saved-by-v5-")
    backend.save(os.path.join(folder, "tokenizer.json"))
    # the tokenizer_config.json transformers 5 writes for a generic fast tokenizer
    config = {"backend": "tokenizers", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
              "model_max_length": 4096, "tokenizer_class": tokenizer_class}
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f)
    return folder


def reproduce():
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(_folder("TokenizersBackend"))


def fixed():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_folder("PreTrainedTokenizerFast"))  # fix 0
    assert type(tokenizer).__name__ == "PreTrainedTokenizerFast", type(tokenizer)
    assert tokenizer("hello world").input_ids == [1, 2], tokenizer("hello world").input_ids

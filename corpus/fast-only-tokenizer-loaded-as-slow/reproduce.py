"""A GPT-NeoX-style tokenizer folder (Pythia, Dolly-v2, StableLM, MPT) whose tokenizer_config.json names
GPTNeoXTokenizer, loaded with use_fast=False as qlora.py, old text-generation-webui and LLaMA-Factory's
use_fast_tokenizer: false do: GPT-NeoX has no slow tokenizer class, so AutoTokenizer finds none. With use_fast=True
(fix 0) it loads GPTNeoXTokenizerFast.

Only transformers 4.21 to 4.x raise it (4.21 is the first release with GPT-NeoX; transformers 5 has a single
GPTNeoXTokenizer class, so the slow name exists there): with any other release the test is skipped.
"""

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a transformers release that raises (4.21 to 4.x)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('transformers==4.42.4', 'tokenizers==0.19.1', 'huggingface_hub==0.24.7', 'numpy==1.26.4')
REQUIRES = ("tokenizers", "transformers") + (
    () if release_within("transformers", (4, 21), (5, 0)) else ("kbfix_requires_transformers_4_21_to_4_x",))
FIXES = (0,)


def _folder() -> str:
    import json
    import os
    import tempfile

    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<|endoftext|>", "hello", "world"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<|endoftext|>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    folder = tempfile.mkdtemp(prefix="kbfix-gpt-neox-tokenizer-")
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<|endoftext|>", bos_token="<|endoftext|>",
                            eos_token="<|endoftext|>").save_pretrained(folder)
    path = os.path.join(folder, "tokenizer_config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    config["tokenizer_class"] = "GPTNeoXTokenizer"   # what EleutherAI/pythia-*, dolly-v2 and stablelm-3b-4e1t say
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)
    return folder


def reproduce():
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(_folder(), use_fast=False)


def fixed():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_folder(), use_fast=True)  # fix 0
    assert type(tokenizer).__name__ == "GPTNeoXTokenizerFast", type(tokenizer)
    assert tokenizer("hello world").input_ids == [1, 2]

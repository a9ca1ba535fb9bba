"""A LLaMA-style tokenizer folder whose tokenizer_config.json names the pre-release class LLaMATokenizer (the
decapoda-research conversions): AutoTokenizer cannot find the class. With "LlamaTokenizer" (fix 0) it loads.

Only transformers 4.28 to 4.x raise it (4.28 is the first release with LlamaTokenizer; transformers 5 falls back
to its generic TokenizersBackend for an unknown class name): with any other release the test is skipped.
"""

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a transformers release that raises (4.28 to 4.x)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('transformers==4.42.4', 'tokenizers==0.19.1', 'huggingface_hub==0.24.7', 'numpy==1.26.4')
REQUIRES = ("tokenizers", "transformers") + (
    () if release_within("transformers", (4, 28), (5, 0)) else ("kbfix_requires_transformers_4_28_to_4_x",))
FIXES = (0,)


def _folder(tokenizer_class: str) -> str:
    import json
    import os
    import tempfile

    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<s>", "</s>", "hello", "world"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    folder = tempfile.mkdtemp(prefix="kbfix-llama-tokenizer-")
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", bos_token="<s>", eos_token="</s>").save_pretrained(folder)
    path = os.path.join(folder, "tokenizer_config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    config["tokenizer_class"] = tokenizer_class
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)
    return folder


def reproduce():
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(_folder("LLaMATokenizer"))  # what decapoda-research/llama-7b-hf says


def fixed():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_folder("LlamaTokenizer"))  # fix 0: the released class name
    assert type(tokenizer).__name__ == "LlamaTokenizerFast", type(tokenizer)
    assert tokenizer("hello world").input_ids == [1, 3, 4]

"""AutoTokenizer on a checkpoint folder without tokenizer files whose config class only the project's own code
registers (LLaVA's LlavaConfig / LlavaMistralConfig, LLaVA-NeXT's LlavaQwenConfig, LISA, Lenna).

transformers 4.x: with no tokenizer_config.json (or one without tokenizer_class), AutoTokenizer.from_pretrained
loads the model config instead; config_class_to_model_type finds the registered type in AutoConfig's extra content,
then ``TOKENIZER_MAPPING[type(config)]`` looks the class name up in the reverse config mapping and raises
``KeyError: 'LlavaMistralConfig'`` (auto_factory.py _LazyAutoMapping.__getitem__). transformers 5.x uses
``TOKENIZER_MAPPING.get(type(config), TokenizersBackend)`` and raises nothing here, so this needs transformers 4.x
(verified with 4.46.3) as a PYTHONPATH overlay; elsewhere REQUIRES names a module that cannot exist.
fixed(): fix 1, the tokenizer files of the base LLM saved into the folder; AutoTokenizer then reads
tokenizer_config.json and never consults the config class. CPU only, nothing downloaded.
"""

import tempfile

from kbfix.reproduce import release_within

OVERLAY = ("transformers==4.46.3", "tokenizers==0.20.3", "huggingface_hub==0.34.4")
OLD = "kbfix_requires_transformers_4_x"
REQUIRES = ("transformers", "tokenizers") + (() if release_within("transformers", (4, 0), (5, 0)) else (OLD,))
FIXES = (1,)


def _checkpoint():
    # what LLaVA's llava/model/language_model/llava_mistral.py does at import time: a config class of its own,
    # registered with AutoConfig only (no AutoTokenizer.register)
    from transformers import AutoConfig, MistralConfig

    class LlavaMistralConfig(MistralConfig):
        model_type = "llava_mistral"

    AutoConfig.register("llava_mistral", LlavaMistralConfig, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="kbfix-llava-")
    LlavaMistralConfig(
        vocab_size=16, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1,
    ).save_pretrained(folder)  # config.json and weights only: no tokenizer files (an incomplete download)
    return folder


def _base_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "hello": 3, "world": 4}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>")


def reproduce():
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(_checkpoint())


def fixed():
    from transformers import AutoTokenizer

    folder = _checkpoint()
    # Fix 1: put the tokenizer files next to config.json (re-download them, or save the base LLM's tokenizer there)
    _base_tokenizer().save_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert tokenizer("hello world")["input_ids"] == [3, 4]
    return f"loaded {type(tokenizer).__name__} from {folder}"

"""Tokens added to the tokenizer (a pad token, ChatML markers) with no ``resize_token_embeddings``: the folder saved
for export has a tokenizer with more tokens than the embedding has rows. CTranslate2's transformers converter
registers every token the tokenizer has (``tokenizer.get_vocab()``, padded with ``<extra_id_N>`` only when it has
fewer) and ``ModelSpec.validate`` compares that with the embedding rows: ``ValueError: Vocabulary has size 32 but
the model expected a vocabulary of size 29``. The model here is a tiny Qwen2 built from a config (Qwen2's loader, like
GPT-2's, Mistral's or Bloom's, does not cut the vocabulary down to ``config.vocab_size``; Llama's and OPT's do, and
convert such a folder without a word), with a word-level tokenizer built here: nothing downloads.

fixed() applies fix 0: ``model.resize_token_embeddings(len(tokenizer))`` before saving, and the conversion runs.

CTranslate2 is not in the test extra; it has CPU wheels (verified with 4.8.5 as an overlay):

    pip install --no-deps --target /tmp/ct2 "ctranslate2==4.8.5"
    PYTHONPATH=/tmp/ct2:$PWD python -m pytest tests/test_reproducers.py -k added-tokens-without-embedding-resize
"""

import os
import tempfile

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("ctranslate2==4.8.5",)
REQUIRES = ("torch", "transformers", "tokenizers", "ctranslate2")
FIXES = (0,)


def _export(resize):
    """Save a tiny Qwen2 and its tokenizer with two chat tokens and a pad token added, then convert the folder."""
    from ctranslate2.converters import TransformersConverter
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{chr(97 + i): 3 + i for i in range(26)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    config = Qwen2Config(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64)
    model = Qwen2ForCausalLM(config)
    tokenizer.add_special_tokens({"pad_token": "<pad>", "additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    if resize:                                    # fix 0
        model.resize_token_embeddings(len(tokenizer))
    with tempfile.TemporaryDirectory() as work:
        folder = os.path.join(work, "merged")
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        out = TransformersConverter(folder).convert(os.path.join(work, "ct2"))
        return sorted(os.listdir(out))


def reproduce():
    _export(resize=False)


def fixed():
    written = _export(resize=True)
    assert "model.bin" in written, written

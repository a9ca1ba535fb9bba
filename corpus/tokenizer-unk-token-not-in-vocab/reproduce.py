"""A LLaMA-style fast tokenizer whose config names "" as unk/bos/eos (the decapoda-research files): the
unk-token lookup recurses. With <unk>/<s>/</s> (fix 0) it loads and encodes."""

REQUIRES = ("tokenizers", "transformers")
FIXES = (0,)


def _tokenizer(unk: str, bos: str, eos: str):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<s>", "</s>", "hello", "world"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token=unk, bos_token=bos, eos_token=eos)
    return tokenizer, tokenizer.unk_token_id  # transformers 4.x recurses here, 5.x already while building it


def reproduce():
    _tokenizer(unk="", bos="", eos="")  # tokenizer_config.json of decapoda-research/llama-7b-hf


def fixed():
    tokenizer, unk_id = _tokenizer(unk="<unk>", bos="<s>", eos="</s>")  # fix 0
    assert (unk_id, tokenizer.bos_token_id, tokenizer.eos_token_id) == (0, 1, 2)
    assert tokenizer.convert_tokens_to_ids("unknown-word") == 0

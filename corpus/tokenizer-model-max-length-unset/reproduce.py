"""A fast tokenizer saved without `model_max_length` (a WordLevel tokenizer built here, no download): transformers fills
in VERY_LARGE_INTEGER (int(1e30)), and a script that truncates to `tokenizer.model_max_length` (as flair, KeyBERT,
BERTopic, inference-perf and many fine-tuning scripts do) hands that number to the Rust tokenizer's
enable_truncation, whose max_length is a usize: PyO3 raises "OverflowError: int too big to convert".

fixed() sets model_max_length when the tokenizer is built (fix 0, what from_pretrained(..., model_max_length=N) does)
and passes an explicit max_length (fix 1), and checks that the text is then really truncated to that length.
"""

REQUIRES = ("tokenizers", "transformers")
FIXES = (0, 1)

TEXT = " ".join(["hello world"] * 400)  # 800 tokens


def _tokenizer(**kwargs):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel({"[UNK]": 0, "hello": 1, "world": 2}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", **kwargs)


def reproduce():
    tok = _tokenizer()                                   # nothing says how long the model's inputs may be
    if tok.model_max_length < 10**20:
        raise AssertionError(f"model_max_length is {tok.model_max_length}, not the unset placeholder")
    tok(TEXT, truncation=True, max_length=tok.model_max_length)   # OverflowError: int too big to convert


def fixed():
    tok = _tokenizer(model_max_length=512)                # fix 0: the real context length of the model
    ids = tok(TEXT, truncation=True, max_length=tok.model_max_length)["input_ids"]
    if len(ids) != 512:
        raise AssertionError(f"fix 0: {len(ids)} tokens, expected 512")
    tok = _tokenizer()                                    # fix 1: an explicit max_length in the call
    ids = tok(TEXT, truncation=True, max_length=256)["input_ids"]
    if len(ids) != 256:
        raise AssertionError(f"fix 1: {len(ids)} tokens, expected 256")

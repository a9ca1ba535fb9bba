"""Code written for transformers 4.x treats apply_chat_template(..., tokenize=True) as a list of token ids. Since
transformers 5 the default is return_dict=True: the call returns a BatchEncoding, which iterates as its keys, so
converting the "ids" to int fails on 'input_ids'. With return_dict=False (fix 0) the same code gets the list again.

Only transformers 5 and later return the dict by default: with a 4.x release the test is skipped.
"""

from kbfix.reproduce import release_within

# this module is never installed: it stands for "transformers 5 or later"
REQUIRES = ("tokenizers", "transformers") + (
    () if release_within("transformers", (5, 0)) else ("kbfix_requires_transformers_5",))
FIXES = (0, 1)

MESSAGES = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "world"}]


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<s>", "</s>", "user", "assistant", "hello", "world", ":"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    tokenizer.chat_template = "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} </s> {% endfor %}"
    return tokenizer


def reproduce():
    tokenizer = _tokenizer()
    input_ids = [int(t) for t in tokenizer.apply_chat_template(MESSAGES, tokenize=True)]  # 4.x code
    return input_ids


def fixed():
    tokenizer = _tokenizer()
    input_ids = [int(t) for t in tokenizer.apply_chat_template(MESSAGES, tokenize=True, return_dict=False)]  # fix 0
    assert input_ids == [3, 7, 5, 2, 4, 7, 6, 2], input_ids
    encoded = tokenizer.apply_chat_template(MESSAGES, tokenize=True, return_dict=True)  # fix 1
    assert list(encoded["input_ids"]) == input_ids, encoded

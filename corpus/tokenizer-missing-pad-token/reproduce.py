"""Pad a batch with a tiny Llama-style tokenizer that, like many causal-LM tokenizers, has no pad token."""

REQUIRES = ("tokenizers", "transformers")
FIXES = (0,)


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<s>", "</s>", "<unk>", "hello", "world", "fine", "tune", "me"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    # bos/eos/unk only: no pad_token, as in the Llama, Mistral, Qwen-base and GPT-2 tokenizers
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


def _collate(tokenizer):
    from transformers import DataCollatorWithPadding

    features = [tokenizer("hello world fine tune"), tokenizer("hello me")]
    return DataCollatorWithPadding(tokenizer)(features)


def reproduce():
    _collate(_tokenizer())


def fixed():
    tokenizer = _tokenizer()
    tokenizer.pad_token = tokenizer.eos_token  # fix 0
    batch = _collate(tokenizer)
    assert batch["input_ids"].shape == (2, 4)
    assert batch["attention_mask"].tolist()[1] == [1, 1, 0, 0]  # padding is masked out

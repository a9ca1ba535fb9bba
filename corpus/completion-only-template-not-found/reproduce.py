"""TRL's DataCollatorForCompletionOnlyLM masks the prompt by finding the response template's token ids in
each example. The examples were rendered with the model's chat template (ChatML markers), but the collator
was given another format's marker ("### Answer:"): it finds none, warns, and every label becomes -100.
fixed() passes the marker the chat template really writes, and the answer tokens keep their labels.

The collator exists only in TRL < 0.20; with any other release (or none) the test is skipped. The tokenizer
is a tiny word-level one built here (no download).
"""

import warnings

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a TRL release that still has the collator (< 0.20)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('trl==0.19.1', 'transformers==4.53.3', 'tokenizers==0.21.4', 'huggingface_hub==0.34.4', 'datasets==4.0.0', 'kernels==0.7.0')
REQUIRES = ("torch", "transformers", "tokenizers", "trl") + (
    () if release_within("trl", (0, 0), (0, 20)) else ("kbfix_requires_trl_before_0_20",))
FIXES = (1,)

EXAMPLE = ("<|im_start|> user \n What is two plus two ? <|im_end|> \n "
           "<|im_start|> assistant \n Two plus two is four . <|im_end|>")


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = sorted(set(EXAMPLE.split()) | {"###", "Answer:"})
    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(words)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]")


def _collate(response_template):
    """The labels of one ChatML example, and the warnings the collator gave."""
    from trl import DataCollatorForCompletionOnlyLM

    tokenizer = _tokenizer()
    collator = DataCollatorForCompletionOnlyLM(response_template=response_template, tokenizer=tokenizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batch = collator([tokenizer(EXAMPLE)])
    said = [warnings.formatwarning(w.message, w.category, w.filename, w.lineno).strip() for w in caught
            if "response key" in str(w.message) or "instruction key" in str(w.message)]
    return batch["labels"][0], said


def reproduce():
    labels, said = _collate("### Answer:")        # the marker of another prompt format
    assert said and bool((labels == -100).all()), (said, labels)
    return "\n".join(said)


def fixed():
    labels, said = _collate("<|im_start|> assistant")   # what the chat template writes before the answer
    assert not said, said
    kept = labels[labels != -100]
    assert len(kept) > 0, labels          # the answer ("Two plus two is four .") is trained on

"""FastChat's fastchat/train/train.py always renders the data with the Vicuna template (`USER:` / `ASSISTANT:`,
every reply closed by the literal text `</s>`) and counts the prompt tokens assuming a Llama tokenizer: one BOS at
the start of the sample and of every re-tokenized turn, `</s>` a single token. A ChatML LLM's tokenizer (Qwen's
shape: no BOS, `</s>` plain text split into pieces, here `.</`, `s`, `>`) makes the count come out short:
preprocess() prints the real `WARNING: tokenization mismatch: 46 vs. 47. #turn = 1. (ignored)` and sets every label
of the sample to -100 (IGNORE_TOKEN_ID): nothing would be trained.

fixed() applies fix 0: the same data and tokenizer through FastChat's train_with_template.py (its `--template_name`)
with the model's own template, `qwen-7b-chat` (ChatML): no warning, and the assistant reply keeps its labels.

The tokenizer is a tiny word-level one built here in Qwen's shape (`<|endoftext|>` as EOS and pad, `<|im_start|>` /
`<|im_end|>` special, no BOS); nothing is downloaded. FastChat (`fschat`) and its `jsonlines` import are not in the
environment: they come as an OVERLAY (scripts/verify.py --overlays installs them aside); elsewhere the test skips.
"""

import contextlib
import io

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("fschat==0.2.36", "jsonlines==4.0.0")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("torch", "transformers", "tokenizers", "fastchat", "jsonlines") + (
    () if release_within("fschat", (0, 2), (0, 3)) else ("kbfix_requires_fschat_0_2",))
FIXES = (0,)

SAMPLE = [{"from": "human", "value": "What is two plus two?"},
          {"from": "gpt", "value": "Two plus two is four."}]
SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
TEMPLATES = ("vicuna", "qwen-7b-chat")  # what train.py always uses; the template of the (Qwen-shaped) LLM


def _prompts():
    """The sample as each template renders it (the tokenizer's vocabulary is built from their words)."""
    from fastchat.model.model_adapter import get_conversation_template

    prompts = []
    for name in TEMPLATES:
        conv = get_conversation_template(name)
        for turn in SAMPLE:
            conv.append_message(conv.roles[1 if turn["from"] == "gpt" else 0], turn["value"])
        prompts.append(conv.get_prompt())
    return prompts


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    split = pre_tokenizers.Whitespace()  # words and runs of punctuation, like a byte-level BPE's pieces
    text = " ".join(_prompts())
    for marker in SPECIAL:
        text = text.replace(marker, " ")
    words = sorted({piece for piece, _ in split.pre_tokenize_str(text)})
    vocab = {token: i for i, token in enumerate((*SPECIAL, *words))}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<|endoftext|>"))
    core.pre_tokenizer = split
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
                                   additional_special_tokens=list(SPECIAL[1:]), model_max_length=64)


def _preprocess(module, *args):
    """Run a FastChat training module's real preprocess() as rank 0 of a torchrun job (its rank0_print prints
    there only); the labels of the sample and what it printed."""
    module.local_rank = 0  # what train() sets from training_args.local_rank on rank 0
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        batch = module.preprocess([SAMPLE], _tokenizer(), *args)
    return batch["labels"][0], printed.getvalue()


def reproduce():
    import fastchat.train.train as fastchat_train

    labels, printed = _preprocess(fastchat_train)  # the Vicuna template, a ChatML model's tokenizer
    assert "tokenization mismatch" in printed and bool((labels == -100).all()), (printed, labels)
    return printed


def fixed():
    import fastchat.train.train_with_template as fastchat_template

    labels, printed = _preprocess(fastchat_template, "qwen-7b-chat")  # --template_name of the model
    assert "tokenization mismatch" not in printed, printed
    kept = _tokenizer().decode(labels[labels != -100])
    assert kept.startswith("Two plus two is four"), kept  # the reply is trained on, the prompt is not
    return printed

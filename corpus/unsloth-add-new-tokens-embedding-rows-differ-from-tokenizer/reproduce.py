"""A tiny Llama whose embedding matrix is padded past its tokenizer (64 rows, 40 tokens: Qwen ships 151936 rows for
151665 tokens, Gemma 3 262208 for 262145, OLMo-2 100352 for 100278) gets two new tokens from the real
``unsloth_zoo.tokenizer_utils.add_new_tokens``. It resizes the model to ``len(tokenizer)`` (42 rows: the matrix
shrinks) and its own size check raises ``RuntimeError: Unsloth: Embedding matrix size did not get resized properly.
Please file a bug report!``, the message Unsloth users saw on Qwen2/2.5/3, Gemma 3 and OLMo-2.
fixed() applies fix 0: the tokens are added to the tokenizer only; their ids (40, 41) fall inside the padded rows, so
the matrix keeps its 64 rows (it is resized only when the tokenizer outgrows it) and the new rows are set to the mean of
the trained rows; the model runs on the new ids.

Nothing is downloaded; it runs on the CPU. Unsloth refuses to import without a GPU: only unsloth_zoo is imported, with
``UNSLOTH_IS_PRESENT`` set as ``import unsloth`` sets it (unsloth_zoo up to 2025.5.8 checks only that). It runs in an
overlay of the releases it was verified with (unsloth_zoo 2025.5.8, transformers 4.52.4); elsewhere the test skips it.
"""

import os

from kbfix.reproduce import release_within

# the same pins as unsloth-merged-save-lora-count-mismatch's reproducer (one overlay); unsloth is installed only so
# that unsloth_zoo's find_spec("unsloth") passes: it is never imported
OVERLAY = ("unsloth_zoo==2025.5.8", "unsloth==2025.5.7", "transformers==4.52.4", "tokenizers==0.21.1",
           "huggingface_hub==0.32.4", "peft==0.15.2", "bitsandbytes==0.46.0", "kernels==0.7.0")
# the check raises in every unsloth_zoo up to 2026.5.2; 2025.5.9 onwards probe the GPU when imported
REQUIRES = ("torch", "transformers", "tokenizers", "unsloth_zoo") + (
    () if release_within("unsloth_zoo", (2024, 10), (2025, 5, 9)) and release_within("transformers", (4, 52), (4, 53))
    else ("kbfix_requires_unsloth_zoo_up_to_2025_5_8_with_transformers_4_52",))
FIXES = (0,)

TOKENS, ROWS = 40, 64
NEW = ["<review>", "</review>"]


def _model_and_tokenizer():
    """A Llama with ROWS embedding rows and a word-level tokenizer of TOKENS tokens (the rest is padding)."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    backend = Tokenizer(WordLevel(vocab={f"w{i}": i for i in range(TOKENS)}, unk_token="w0"))
    backend.pre_tokenizer = Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="w0", pad_token="w1")
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=ROWS, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2)
    return LlamaForCausalLM(config).eval(), tokenizer


def reproduce():
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["UNSLOTH_IS_PRESENT"] = "1"   # what `import unsloth` sets before it imports unsloth_zoo
    try:
        import datasets  # noqa: F401  (tokenizer_utils imports it; add_new_tokens never uses it)
    except ImportError:
        # the environment's datasets is newer than the overlay's huggingface_hub 0.32 (BucketNotFoundError):
        # an empty module stands in for it in this child process
        import importlib.machinery
        import sys
        import types
        stub = types.ModuleType("datasets")
        stub.__spec__ = importlib.machinery.ModuleSpec("datasets", None)
        sys.modules["datasets"] = stub
    from unsloth_zoo.tokenizer_utils import add_new_tokens

    model, tokenizer = _model_and_tokenizer()
    add_new_tokens(model, tokenizer, new_tokens=NEW)


def fixed():
    import torch

    model, tokenizer = _model_and_tokenizer()
    embed, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    rows = embed.shape[0]
    trained_embed, trained_head = embed[:len(tokenizer)].mean(0), head[:len(tokenizer)].mean(0)
    # fix 1: add the tokens to the tokenizer; resize only when it outgrows the (padded) matrix, never below it
    first = len(tokenizer)
    tokenizer.add_tokens(NEW)
    if len(tokenizer) > rows:
        model.resize_token_embeddings(len(tokenizer))
    embed, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    with torch.no_grad():
        embed[first:len(tokenizer)] = trained_embed
        head[first:len(tokenizer)] = trained_head
    assert embed.shape[0] == rows, embed.shape
    ids = tokenizer(" ".join(["w2", *NEW]), return_tensors="pt").input_ids
    assert ids[0, 1:].tolist() == [first, first + 1], ids
    with torch.no_grad():
        logits = model(input_ids=ids).logits
    assert logits.shape[-1] == rows and torch.isfinite(logits).all()
    return f"added {NEW} as ids {first}-{first + 1} inside the {rows} padded rows; the model runs on them\n"

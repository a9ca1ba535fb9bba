"""Batch-generate with a tiny Qwen2 model and a tokenizer that pads on the right.

The real ``generate()`` sees pad tokens (attention_mask 0) at the end of a prompt and logs
``A decoder-only architecture is being used, but right-padding was detected! ...``; the shorter prompt's
new tokens are generated after its pad tokens. With ``padding_side="left"`` there is no warning and each
row generates what it generates alone.
"""

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0,)

PROMPTS = ["w1 w2 w3 w4 w5 w6", "w7 w8"]


def _tokenizer(side):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<eos>": 1, **{f"w{i}": i + 1 for i in range(1, 30)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="<eos>", padding_side=side)


def _model():
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, pad_token_id=0, eos_token_id=1,
                         bos_token_id=1)
    return Qwen2ForCausalLM(config).eval()


def _generate(model, tok, prompts):
    batch = tok(prompts, return_tensors="pt", padding=True)
    out = model.generate(**batch, max_new_tokens=3, do_sample=False, pad_token_id=tok.pad_token_id)
    return [row[batch["input_ids"].shape[1]:].tolist() for row in out]


def _logged(func):
    """Run ``func`` and return what transformers logged (the warning goes through its logger)."""
    import io
    import logging

    from transformers.utils import logging as hf_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    hf_logging.add_handler(handler)
    try:
        result = func()
    finally:
        hf_logging.remove_handler(handler)
    return stream.getvalue(), result


def reproduce():
    model, tok = _model(), _tokenizer("right")
    text, _ = _logged(lambda: _generate(model, tok, PROMPTS))
    return text


def fixed():
    model, tok = _model(), _tokenizer("left")
    text, batched = _logged(lambda: _generate(model, tok, PROMPTS))
    alone = [_generate(model, tok, [p])[0] for p in PROMPTS]
    assert batched == alone, (batched, alone)
    return text

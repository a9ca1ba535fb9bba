"""Generate with a tiny Llama from **inputs that carry token_type_ids, as BERT-style tokenizers return them."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                         pad_token_id=0, bos_token_id=1, eos_token_id=2)
    return LlamaForCausalLM(config).eval()


def _tokenized():
    """What tokenizer(prompt, return_tensors="pt") gives for a tokenizer that returns token types."""
    import torch

    ids = torch.tensor([[1, 17, 23, 42]])
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "token_type_ids": torch.zeros_like(ids)}


def reproduce():
    _model().generate(**_tokenized(), max_new_tokens=3, do_sample=False)


def fixed():
    model = _model()
    # fix 0: drop the key the decoder-only model does not take
    inputs = _tokenized()
    inputs.pop("token_type_ids", None)
    out = model.generate(**inputs, max_new_tokens=3, do_sample=False)
    assert out.shape[1] == inputs["input_ids"].shape[1] + 3
    # fix 1: a generation option spelled right (num_beams, not num_beans) is accepted
    model.generate(**inputs, max_new_tokens=2, num_beams=2, do_sample=False)

"""Add special tokens to the tokenizer but not to the model: the new ids are >= the embedding rows.

On a GPU the embedding lookup fails inside the kernel (``Assertion `srcIndex < srcSelectDimSize`
failed`` then ``CUDA error: device-side assert triggered``); on the CPU the same lookup raises
``IndexError: index out of range in self`` right away.
"""

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0,)


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<pad>", "<s>", "</s>", "<unk>"] + [f"w{i}" for i in range(60)]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", bos_token="<s>",
                                  eos_token="</s>", unk_token="<unk>")
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})  # ids 64, 65
    return tok


def _model():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    return Qwen2ForCausalLM(config)


def _step(tok, model):
    batch = tok(["<|im_start|> w1 w2 w3 <|im_end|>"], return_tensors="pt")
    return model(input_ids=batch["input_ids"], labels=batch["input_ids"]).loss


def reproduce():
    tok, model = _tokenizer(), _model()
    _step(tok, model)


def fixed():
    import torch

    tok, model = _tokenizer(), _model()
    model.resize_token_embeddings(len(tok))  # fix 0: one embedding row (and lm_head row) per token id
    assert model.get_input_embeddings().num_embeddings >= len(tok)
    assert torch.isfinite(_step(tok, model))

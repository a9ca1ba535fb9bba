"""Feed a 32-token text to a tiny GPT-2 that has 16 learned positions, then truncate or chunk at tokenization."""

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0, 1)

MAX_POSITIONS = 16
TEXT = " ".join(f"w{i % 50}" for i in range(32))  # 32 words -> 32 tokens, twice the model's positions


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<unk>": 1, **{f"w{i}": i + 2 for i in range(50)}}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>",
                                   model_max_length=MAX_POSITIONS)


def _model():
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=64, n_embd=16, n_layer=2, n_head=2, n_positions=MAX_POSITIONS,
                        bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config)


def reproduce():
    tokenizer, model = _tokenizer(), _model()
    batch = tokenizer(TEXT, return_tensors="pt")  # warns: Token indices sequence length is longer ... (32 > 16)
    model(**batch, labels=batch["input_ids"])     # position ids 16..31 do not exist in wpe


def fixed():
    import torch

    tokenizer, model = _tokenizer(), _model()
    limit = model.config.max_position_embeddings  # n_positions for GPT-2
    # fix 0: cut every sequence to the model's positions
    batch = tokenizer(TEXT, truncation=True, max_length=limit, return_tensors="pt")
    assert batch["input_ids"].shape[1] == limit
    assert torch.isfinite(model(**batch, labels=batch["input_ids"]).loss)
    # fix 1: keep all the text as overlapping windows of at most `limit` tokens
    windows = tokenizer(TEXT, truncation=True, max_length=limit, stride=4, return_overflowing_tokens=True,
                        padding="max_length", return_tensors="pt")
    assert windows["input_ids"].shape[0] > 1 and windows["input_ids"].shape[1] == limit
    labels = windows["input_ids"].masked_fill(windows["attention_mask"] == 0, -100)
    out = model(input_ids=windows["input_ids"], attention_mask=windows["attention_mask"], labels=labels)
    assert torch.isfinite(out.loss)

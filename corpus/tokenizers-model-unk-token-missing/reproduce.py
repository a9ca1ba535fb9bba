"""A WordPiece model told its unk token is "[UNK]", trained with special tokens that leave "[UNK]" out: the trained
vocabulary has no "[UNK]", so encoding a character the training text never had raises the Rust core's
"WordPiece error: Missing [UNK] token from the vocabulary". fixed() puts "[UNK]" in the trainer's special tokens.
No model, no download: tokenizers alone, on a few words.
"""

REQUIRES = ("tokenizers",)
FIXES = (0,)


def _tokenizer(special_tokens):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordPieceTrainer(vocab_size=100, special_tokens=special_tokens, show_progress=False)
    tokenizer.train_from_iterator(["hello world", "hello there", "a small training text"], trainer=trainer)
    return tokenizer


def reproduce():
    tokenizer = _tokenizer(["[PAD]", "[CLS]", "[SEP]"])
    tokenizer.encode("hello zebra 🤗")


def fixed():
    tokenizer = _tokenizer(["[UNK]", "[PAD]", "[CLS]", "[SEP]"])
    return "tokens: " + " ".join(tokenizer.encode("hello zebra 🤗").tokens)

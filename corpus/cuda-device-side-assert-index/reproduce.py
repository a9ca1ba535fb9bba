"""Add special tokens to the tokenizer but not to the model: the new ids are >= the embedding rows.

On a GPU the embedding lookup fails inside the kernel (``Assertion `srcIndex < srcSelectDimSize`
failed`` then ``CUDA error: device-side assert triggered``); on the CPU the same lookup raises
``IndexError: index out of range in self`` right away. Where a CUDA GPU is visible
(``scripts/verify_gpu.py``) the lookup runs there, in a child process, since a device-side assert
leaves the CUDA context unusable for the rest of the process.
"""

import subprocess
import sys

REQUIRES = ("torch", "transformers", "tokenizers")
DEVICES = ("cpu", "cuda")
FIXES = (0,)


def _device():
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


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
    batch = tok(["<|im_start|> w1 w2 w3 <|im_end|>"], return_tensors="pt").to(model.device)
    loss = model(input_ids=batch["input_ids"], labels=batch["input_ids"]).loss
    return float(loss)  # a CUDA kernel's assert is reported at the first synchronisation


def reproduce():
    if _device() == "cuda":  # the child prints the kernel's assertion and the CUDA error as a user sees them
        child = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=300)
        return child.stdout + child.stderr
    tok, model = _tokenizer(), _model()
    _step(tok, model)


def fixed():
    import torch

    tok, model = _tokenizer(), _model().to(_device())
    model.resize_token_embeddings(len(tok))  # fix 0: one embedding row (and lm_head row) per token id
    assert model.get_input_embeddings().num_embeddings >= len(tok)
    assert torch.isfinite(torch.tensor(_step(tok, model)))


if __name__ == "__main__":  # the CUDA run of reproduce(), in its own process
    _step(_tokenizer(), _model().to("cuda"))

"""Real runs of tiny models on CPU that print the precursors kbfix's early warnings look for.

    python scripts/precursor_runs.py RUN 2>&1 | kbfix --events events.jsonl

Each RUN builds a tiny Gemma / Qwen2 / GPT-2 from a config (no download), then does what a real
fine-tuning script does until the precursor appears, and a little more (most go on to fail the way
the real run would). ``healthy`` does the same things right and must draw no warning. The tests in
``tests/test_watch.py`` pipe these runs into the real command line.
"""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def tiny_gemma(**overrides):
    from transformers import GemmaConfig, GemmaForCausalLM

    config = GemmaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                         pad_token_id=0, bos_token_id=1, eos_token_id=2, **overrides)
    return GemmaForCausalLM(config)


def tiny_qwen2_config():
    from transformers import Qwen2Config

    return Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                       num_attention_heads=2, num_key_value_heads=1, pad_token_id=0)


def dataset(n: int = 32, length: int = 8):
    import torch

    class Tokens(torch.utils.data.Dataset):
        def __len__(self):
            return n

        def __getitem__(self, i):
            ids = torch.tensor([1] + [3 + (i + j) % 50 for j in range(length - 2)] + [2])
            return {"input_ids": ids, "labels": ids.clone()}

    return Tokens()


def train(model, steps: int = 4, lr: float = 1e-3):
    from transformers import Trainer, TrainingArguments

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(out, max_steps=steps, logging_steps=1, per_device_train_batch_size=4,
                                 report_to="none", save_strategy="no", use_cpu=True, learning_rate=lr,
                                 disable_tqdm=True)
        Trainer(model=model, args=args, train_dataset=dataset()).train()


def tokenizer(max_length: int):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["[PAD]", "[UNK]", "<s>", "</s>"] + "the a cat sat on mat dog ran far".split()
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, model_max_length=max_length, pad_token="[PAD]",
                                   unk_token="[UNK]")


# --- runs -------------------------------------------------------------------------------------

def run_fp16_trainer():
    """HF Trainer on a tiny Gemma in float16 whose MLP output overflows: grad_norm nan from step 1."""
    import torch

    torch.manual_seed(0)
    model = tiny_gemma()
    with torch.no_grad():
        for layer in model.model.layers:  # |w| ~ 20, fine in fp16, but the MLP output reaches ~1e5
            for proj in (layer.mlp.gate_proj, layer.mlp.up_proj, layer.mlp.down_proj):
                proj.weight.mul_(1000.0)
    print("model dtype: float16 (model.half())")
    train(model.half(), steps=6)


def run_fp16_loop():
    """A plain PyTorch loop in float16 with a learning rate that blows the weights up: loss nan."""
    import torch

    torch.manual_seed(0)
    model = tiny_gemma().half()
    optimizer = torch.optim.SGD(model.parameters(), lr=50.0)
    batch = torch.stack([dataset()[i]["input_ids"] for i in range(4)])
    for step in range(8):
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf"))
        optimizer.step()
        optimizer.zero_grad()
        print(f"step {step} loss {loss.item():.4f} grad_norm {norm.item():.4f}")


def run_frozen_lora():
    """Every parameter frozen after get_peft_model (a freeze loop run too late): then Trainer.train()."""
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(tiny_gemma(), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    for parameter in model.parameters():  # meant for the base model only
        parameter.requires_grad_(False)
    model.print_trainable_parameters()
    train(model)


def run_tied_lora():
    """LoRA with lm_head among the targets of a Gemma whose lm_head is tied to the embeddings."""
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(tiny_gemma(tie_word_embeddings=True),
                           LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "lm_head"]))
    model.print_trainable_parameters()
    train(model, steps=2)


def run_prefix_mismatch():
    """A checkpoint saved with an extra ``base.`` prefix: from_pretrained initializes every layer anew."""
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, Qwen2ForCausalLM

    with tempfile.TemporaryDirectory() as folder:
        model = Qwen2ForCausalLM(tiny_qwen2_config())
        model.save_pretrained(folder)
        state = {f"base.{k}": v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
        save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
        model = AutoModelForCausalLM.from_pretrained(folder)
    train(model, steps=2)


def run_long_sequence():
    """Texts tokenized without truncation for a GPT-2 with 16 positions: a warning, then IndexError."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tok = tokenizer(16)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=16, n_positions=16, n_embd=16, n_layer=1, n_head=2))
    texts = ["the cat sat on the mat", "the dog ran far " * 6]
    for text in texts:
        ids = torch.tensor([tok(text)["input_ids"]])
        print(f"batch of {ids.shape[1]} tokens, loss {model(input_ids=ids, labels=ids).loss.item():.4f}")


def run_healthy():
    """The same steps done right: finite losses, LoRA with trainable params, a new task head, truncation."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification, Qwen2ForCausalLM

    torch.manual_seed(0)
    model = get_peft_model(tiny_gemma(tie_word_embeddings=True),
                           LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    model.print_trainable_parameters()
    train(model, steps=4)
    with tempfile.TemporaryDirectory() as folder:  # a causal LM checkpoint fine-tuned for classification
        Qwen2ForCausalLM(tiny_qwen2_config()).save_pretrained(folder)
        classifier = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=3)
    tok = tokenizer(16)
    ids = tok(["the dog ran far " * 6], truncation=True, return_tensors="pt")["input_ids"]
    print(f"classifier logits {tuple(classifier(input_ids=ids).logits.shape)} from {ids.shape[1]} tokens")


RUNS = {name[4:].replace("_", "-"): func for name, func in dict(globals()).items() if name.startswith("run_")}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in RUNS:
        print(f"usage: precursor_runs.py {{{','.join(RUNS)}}}", file=sys.stderr)
        return 2
    RUNS[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

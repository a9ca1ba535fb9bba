"""Fine-tune a tiny Qwen2 with Trainer on tokenized rows that carry no labels."""

import tempfile

REQUIRES = ("torch", "transformers", "tokenizers", "accelerate")
FIXES = (0, 1)

TEXTS = ["the cat sat on a mat", "the dog ran", "a cat ran on the mat", "the dog sat"]


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = "the cat sat on a mat dog ran".split()
    vocab = {"<pad>": 0, "<unk>": 1, "<eos>": 2, **{w: i + 3 for i, w in enumerate(words)}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>",
                                   eos_token="<eos>")


def _model():
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, bos_token_id=2, eos_token_id=2,
                         pad_token_id=0)
    return Qwen2ForCausalLM(config)


def _train(rows, collator):
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=tempfile.mkdtemp(), max_steps=1, per_device_train_batch_size=2,
                             report_to="none", use_cpu=True, save_strategy="no", logging_strategy="no",
                             disable_tqdm=True)
    return Trainer(model=_model(), args=args, train_dataset=rows, data_collator=collator).train()


def reproduce():
    from transformers import DataCollatorWithPadding

    tokenizer = _tokenizer()
    rows = [dict(tokenizer(t)) for t in TEXTS]  # input_ids + attention_mask, no labels
    _train(rows, DataCollatorWithPadding(tokenizer))


def fixed():
    from transformers import DataCollatorForLanguageModeling, DataCollatorForSeq2Seq

    tokenizer = _tokenizer()
    rows = [dict(tokenizer(t)) for t in TEXTS]
    # fix 0: a causal-LM collator builds labels from input_ids (padding -> -100)
    _train(rows, DataCollatorForLanguageModeling(tokenizer, mlm=False))
    # fix 1: put labels into the rows yourself (and use a collator that pads them)
    labelled = [dict(r, labels=list(r["input_ids"])) for r in rows]
    _train(labelled, DataCollatorForSeq2Seq(tokenizer))

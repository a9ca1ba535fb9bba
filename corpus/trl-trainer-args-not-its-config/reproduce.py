"""A DPO script written for TRL < 0.9 (or copied from a notebook) builds ``transformers.TrainingArguments`` and passes
it as ``args`` to ``DPOTrainer``. TRL's trainers read their own fields from ``args`` (``DPOConfig.padding_value``,
``model_init_kwargs`` ...), which ``TrainingArguments`` lacks: ``AttributeError: 'TrainingArguments' object has no
attribute 'padding_value'`` (TRL 0.19.1; ``'model_init_kwargs'`` in 0.9 - 0.15). fixed() applies fix 0: the same settings in a ``DPOConfig``; the trainer is built and trains
one step.

Verified with TRL 0.19.1 (the overlay below); the first field read differs across releases, and the test is
skipped outside 0.12 - 0.28. The model is a tiny Llama and the tokenizer a
word-level one, both built here (no download).
"""

import os
import tempfile

from kbfix.reproduce import release_within, tiny_llama, word_tokenizer

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('trl==0.19.1', 'transformers==4.53.3', 'tokenizers==0.21.4', 'huggingface_hub==0.34.4', 'datasets==4.0.0', 'kernels==0.7.0')
# this module is never installed: it stands for "a TRL release whose DPOTrainer reads DPOConfig fields from args and
# takes processing_class (0.12 - 0.28)"
REQUIRES = ("torch", "transformers", "tokenizers", "datasets", "accelerate", "trl") + (
    () if release_within("trl", (0, 12), (0, 29)) else ("kbfix_requires_trl_0_12_to_0_28",))
FIXES = (0,)

WORDS = "what is two plus four ? six seven".split()


def _trainer(args):
    from datasets import Dataset
    from trl import DPOTrainer

    pairs = Dataset.from_dict({"prompt": ["what is two plus four ?"] * 4, "chosen": [" six"] * 4,
                               "rejected": [" seven"] * 4})
    return DPOTrainer(model=tiny_llama(), ref_model=tiny_llama(), args=args, train_dataset=pairs,
                      processing_class=word_tokenizer(WORDS))


def _settings():
    return dict(output_dir=os.path.join(tempfile.mkdtemp(), "dpo"), per_device_train_batch_size=2, max_steps=1,
                report_to="none", use_cpu=True)


def reproduce():
    from transformers import TrainingArguments

    _trainer(TrainingArguments(**_settings()))      # the generic Trainer's arguments, not DPOConfig


def fixed():
    from trl import DPOConfig

    trainer = _trainer(DPOConfig(**_settings(), max_length=16, max_prompt_length=8))
    trainer.train()
    logged = [log for log in trainer.state.log_history if "train_loss" in log]
    assert logged, trainer.state.log_history
    return f"DPOTrainer with args=DPOConfig(...) trained one step: train_loss {logged[-1]['train_loss']:.4f}"

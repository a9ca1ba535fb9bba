"""GRPO passes every dataset column except the prompt to each reward function, by its column name. A reward function
that takes `solution` on a dataset whose reference answers are in an `answer` column fails at the first step with
TypeError: accuracy_reward() missing 1 required positional argument: 'solution'. fixed() renames the column to
`solution` (fix 0) and one GRPO step runs.

A tiny Llama built from a config and a word-level tokenizer built here: nothing downloads, the CPU is enough.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# the module below is never installed: it stands for "a TRL release whose GRPOTrainer passes columns (>= 0.14)"
OVERLAY = ('trl==1.16.0',)
REQUIRES = ("transformers", "trl") + (() if release_within("trl", (0, 14)) else ("kbfix_requires_trl_0_14_or_later",))
FIXES = (0,)


def accuracy_reward(completions, solution, **kwargs):
    return [float(str(c).strip() == s) for c, s in zip(completions, solution)]


def _train(rename: bool):
    os.environ["HF_HUB_OFFLINE"] = "1"
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from kbfix.reproduce import tiny_llama, word_tokenizer

    tokenizer = word_tokenizer("what is one plus one two three four".split())
    model = tiny_llama(vocab=len(tokenizer))
    dataset = Dataset.from_dict({"prompt": ["what is one plus one"] * 4, "answer": ["two"] * 4})
    if rename:
        dataset = dataset.rename_column("answer", "solution")
    with tempfile.TemporaryDirectory() as out:
        args = GRPOConfig(output_dir=out, report_to="none", use_cpu=True, bf16=False, per_device_train_batch_size=2,
                          num_generations=2, max_completion_length=4, max_steps=1, logging_steps=1,
                          save_strategy="no")
        trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=accuracy_reward, args=args,
                              train_dataset=dataset)
        trainer.train()
        return f"columns={dataset.column_names} steps={trainer.state.global_step}"


def reproduce():
    _train(rename=False)


def fixed():
    return _train(rename=True)

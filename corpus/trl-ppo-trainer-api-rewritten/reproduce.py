"""A script written for TRL's old PPO API builds ``PPOTrainer(config, model, ref_model, tokenizer)`` with value-head
models, as the old quick start and the gpt2-sentiment notebooks did. On TRL 0.12 and later ``PPOTrainer`` is the
rewritten Trainer-based class, whose first parameters are ``(args, processing_class, model, ref_model, reward_model,
train_dataset, value_model)``: Python fills four of them and raises ``TypeError: PPOTrainer.__init__() missing 3
required positional arguments: 'reward_model', 'train_dataset', and 'value_model'`` (two on 0.12 - 0.18). fixed()
applies fix 1, the port: a plain causal-LM policy, sequence-classification reward and value models, a tokenized
train_dataset and ``trainer.train()``, which runs one PPO step.

The rewritten trainer lives at ``trl.PPOTrainer`` only in TRL 0.12 - 0.2x (1.x moved it to ``trl.experimental``);
with any other release (or none) the test is skipped. The models are tiny Llamas and the tokenizer a word-level one,
all built here (no download).
"""

import os
import tempfile

from kbfix.reproduce import release_within, tiny_llama, word_tokenizer

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('trl==0.19.1', 'transformers==4.53.3', 'tokenizers==0.21.4', 'huggingface_hub==0.34.4', 'datasets==4.0.0', 'kernels==0.7.0')
# this module is never installed: it stands for "a TRL release whose trl.PPOTrainer is the rewritten one (0.12 - 0.2x)"
REQUIRES = ("torch", "transformers", "tokenizers", "datasets", "accelerate", "trl") + (
    () if release_within("trl", (0, 12), (1, 0)) else ("kbfix_requires_trl_0_12_to_0_x",))
FIXES = (1,)

WORDS = "what is two plus four ? the answer is six".split()


def _tokenizer():
    return word_tokenizer(WORDS)


def _classifier():
    from transformers import LlamaForSequenceClassification

    config = tiny_llama().config
    config.num_labels = 1
    config.pad_token_id = 0
    return LlamaForSequenceClassification(config)


def _config(**kwargs):
    from trl import PPOConfig

    return PPOConfig(output_dir=os.path.join(tempfile.mkdtemp(), "ppo"), report_to="none", use_cpu=True, **kwargs)


def reproduce():
    from trl import AutoModelForCausalLMWithValueHead, PPOTrainer

    # the old API: a value-head policy and reference, the tokenizer fourth, then a hand-written generate()/step() loop
    model = AutoModelForCausalLMWithValueHead(tiny_llama())
    ref_model = AutoModelForCausalLMWithValueHead(tiny_llama())
    config = _config(batch_size=2, mini_batch_size=1)
    PPOTrainer(config, model, ref_model, _tokenizer())


def fixed():
    from datasets import Dataset
    from trl import PPOTrainer

    tokenizer = _tokenizer()
    prompts = Dataset.from_dict({"input_ids": [tokenizer("what is two plus four ?")["input_ids"]] * 4})
    args = _config(per_device_train_batch_size=2, num_mini_batches=1, total_episodes=2, response_length=4,
                   num_sample_generations=0, num_ppo_epochs=1, kl_coef=0.05)
    trainer = PPOTrainer(args=args, processing_class=tokenizer, model=tiny_llama(), ref_model=None,
                         reward_model=_classifier(), value_model=_classifier(), train_dataset=prompts)
    trainer.train()      # replaces the generate() / step() loop: rollout, reward model, PPO update
    logged = [log for log in trainer.state.log_history if "objective/scores" in log]
    assert logged, trainer.state.log_history
    return f"PPOTrainer trained one step: objective/scores {logged[-1]['objective/scores']:.4f}"

"""A script written for TRL's old value-head PPO hands ``AutoModelForCausalLMWithValueHead`` models to the rewritten
``PPOTrainer`` (trl 0.12 - 0.2x). The trainer sets the policy's ``generation_config`` while it is built; the value-head
wrapper (a plain ``nn.Module``) has none: ``AttributeError: 'AutoModelForCausalLMWithValueHead' object has no
attribute 'generation_config'`` (trl#2340, trl#2718). fixed() applies fix 1: a plain causal-LM policy and
``...ForSequenceClassification(num_labels=1)`` reward and value models; the trainer is built and trains one PPO step
(generation, TRL's ``get_reward``, which reads ``base_model_prefix`` and ``score``, and the policy/value update).

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


def _trainer(policy, reward_model, value_model):
    from datasets import Dataset
    from trl import PPOConfig, PPOTrainer

    tokenizer = _tokenizer()
    prompts = Dataset.from_dict({"input_ids": [tokenizer("what is two plus four ?")["input_ids"]] * 4})
    args = PPOConfig(output_dir=os.path.join(tempfile.mkdtemp(), "ppo"), per_device_train_batch_size=2,
                     num_mini_batches=1, total_episodes=2, response_length=4, num_sample_generations=0,
                     report_to="none", use_cpu=True)
    return PPOTrainer(args=args, processing_class=tokenizer, model=policy, ref_model=None,
                      reward_model=reward_model, value_model=value_model, train_dataset=prompts)


def _classifier():
    from transformers import LlamaForSequenceClassification

    config = tiny_llama().config
    config.num_labels = 1
    config.pad_token_id = 0
    return LlamaForSequenceClassification(config)


def reproduce():
    from trl import AutoModelForCausalLMWithValueHead

    # the old API's objects: value-head wrappers for the policy and for the value side
    policy = AutoModelForCausalLMWithValueHead(tiny_llama())
    value = AutoModelForCausalLMWithValueHead(tiny_llama())
    _trainer(policy, _classifier(), value)


def fixed():
    trainer = _trainer(tiny_llama(), _classifier(), _classifier())   # plain causal LM; seq-classification reward/value
    trainer.train()                       # one rollout: generate, get_reward (base_model_prefix, score), PPO update
    logged = [log for log in trainer.state.log_history if "objective/scores" in log]
    assert logged, trainer.state.log_history
    return f"PPOTrainer trained one step: objective/scores {logged[-1]['objective/scores']:.4f}"

"""A gsm8k parquet written by hand for verl names each row's ``data_source`` after the folder the data was loaded
from (``data/gsm8k``, as in verl#1079), and no custom reward function is configured. verl's own ``RLHFDataset`` reads
the parquet, a rollout's response is put beside it, and the reward loop's worker (``RewardLoopWorker``, built from
verl's full default PPO config) scores it: the naive reward manager hands the row to ``default_compute_score``, which
has no scorer for that string and raises its real
``NotImplementedError: Reward function is not implemented for data_source='data/gsm8k'``.
fixed() applies fix 0 (the rows name the built-in scorer's key, ``openai/gsm8k``, with ``reward_model.ground_truth``):
gsm8k's scorer rewards the right answer with 1.0; and, apart, fix 1 (the same rows, and
``reward.custom_reward_function.path`` pointing at a file with ``compute_score``): the custom function scores them.

A word-level tokenizer and the parquet are written here in a temporary folder; nothing is downloaded, no GPU and no
Ray cluster is used (the worker class is the one Ray runs as an actor). verl is not in the test environment, so this
runs in an overlay of the releases it was verified with (verl 0.9.1 without its dependencies, the transformers,
tensordict and ray its requirements accept, and the modules its reward loop imports); elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("verl==0.9.1", "ray==2.60.0", "tensordict==0.10.0", "pyvers==0.2.3", "omegaconf==2.3.0",
           "antlr4-python3-runtime==4.9.3", "codetiming==1.4.0", "orjson==3.13.0", "pillow==13.0.0",
           "transformers==5.10.4", "tokenizers==0.22.2", "huggingface_hub==1.33.0", "kernels==0.12.3")
OVERLAY_WITH_DEPS = ("aiohttp==3.14.5",)   # verl's reward loop imports aiohttp at module level
# the reward loop (experimental/reward_loop) and reward.custom_reward_function of verl 0.7.1+; verified with 0.9.1
REQUIRES = ("torch", "transformers", "verl", "ray", "tensordict") + (
    () if release_within("verl", (0, 9), (0, 10)) and release_within("transformers", (5, 5, 3), (5, 11))
    else ("kbfix_requires_verl_0_9_with_transformers_5_5_to_5_10",))
FIXES = (0, 1)

QUESTION = "what is two plus two ?"
ANSWER = "the answer is #### 4"
REWARD_FILE = '''
def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    return 1.0 if solution_str.split("####")[-1].strip() == ground_truth else 0.0
'''


def _config(folder):
    """verl's full default PPO config (the one ``python -m verl.trainer.main_ppo`` composes), with a tokenizer
    folder made here as the model path."""
    from omegaconf import OmegaConf

    import verl
    from kbfix.reproduce import word_tokenizer

    tokenizer = word_tokenizer(f"{QUESTION} {ANSWER}".split())
    tokenizer.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    tokenizer.save_pretrained(folder)
    config = OmegaConf.load(os.path.join(os.path.dirname(verl.__file__), "trainer", "config",
                                         "_generated_ppo_trainer.yaml"))
    config.actor_rollout_ref.model.path = folder
    return config, tokenizer


def _rollout(folder, config, tokenizer, data_source):
    """One parquet row in verl's RL layout, read by verl's RLHFDataset, with a rollout's response beside it."""
    import pandas as pd
    import torch

    from verl import DataProto
    from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn

    parquet = os.path.join(folder, "train.parquet")
    pd.DataFrame([{"data_source": data_source, "prompt": [{"role": "user", "content": QUESTION}], "ability": "math",
                   "reward_model": {"style": "rule", "ground_truth": "4"}, "extra_info": {"index": 0}}]).to_parquet(parquet)
    rows = DataProto.from_single_dict(collate_fn([RLHFDataset(data_files=[parquet], tokenizer=tokenizer,
                                                              config=config.data)[0]]))
    prompt = tokenizer(QUESTION, return_tensors="pt")["input_ids"]
    response = tokenizer(ANSWER, return_tensors="pt")["input_ids"]
    mask = torch.ones(1, prompt.shape[1] + response.shape[1], dtype=torch.long)
    return rows.union(DataProto.from_dict(tensors={"prompts": prompt, "responses": response, "attention_mask": mask}))


def _score(data_source, reward_file=None):
    """The reward the reward loop's worker gives the rollout."""
    from verl.experimental.reward_loop.reward_loop import RewardLoopWorker

    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as folder:
        config, tokenizer = _config(folder)
        if reward_file is not None:
            path = os.path.join(folder, "my_reward.py")
            with open(path, "w") as out:
                out.write(reward_file)
            config.reward.custom_reward_function.path = path
            config.reward.custom_reward_function.name = "compute_score"
        worker = RewardLoopWorker(config)
        data = _rollout(folder, config, tokenizer, data_source)
        return worker.loop.run_until_complete(worker.compute_score_batch(data))[0]["reward_score"]


def reproduce():
    _score("data/gsm8k")        # the folder the data was loaded from, not a scorer's key


def fixed():
    builtin = _score("openai/gsm8k")                         # fix 0: the built-in scorer's key
    custom = _score("data/gsm8k", reward_file=REWARD_FILE)   # fix 1: a custom reward function for the same rows
    assert builtin == 1.0 and custom == 1.0, (builtin, custom)
    return f"data_source openai/gsm8k scored {builtin}; custom_reward_function scored data/gsm8k {custom}\n"

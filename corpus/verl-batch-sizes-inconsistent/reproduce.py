"""verl's PPO entry point (``python -m verl.trainer.main_ppo``, verl >= 0.6) composes its config from the packaged
``ppo_trainer.yaml`` with the command line's overrides and calls ``verl.utils.config.validate_config`` on it before
Ray starts; the actor's ``ActorConfig.validate`` refuses a train batch smaller than the PPO mini-batch:
``ValueError: train_batch_size (32) must be >= actor.ppo_mini_batch_size (64)`` (verl#5821). Here the same two steps
run on the overrides of a GRPO run on 8 GPUs whose ``data.train_batch_size`` was lowered to 32 while the recipe's
``ppo_mini_batch_size`` stayed 64. fixed() applies fix 0: a mini-batch that fits the train batch, the GPU count and
the micro-batch (32 x rollout.n 5 / 8 GPUs = 20 responses per GPU, 5 micro-batches of 4), and the config validates.

Nothing runs on a GPU and no model is loaded: validation only reads the config. verl is not installed in the test
environment (it needs ray, tensordict and hydra): elsewhere the test skips it.
"""

import os

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# verl imports ray, tensordict (and its pyvers, orjson), hydra, codetiming and, through need_critic, Pillow
OVERLAY = ('verl==0.9.1', 'ray==2.60.0', 'tensordict==0.10.0', 'pyvers==0.2.3', 'orjson==3.13.0', 'omegaconf==2.3.0',
           'antlr4-python3-runtime==4.9.3', 'hydra-core==1.3.2', 'codetiming==1.4.0', 'pillow==12.0.0')
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("torch", "transformers", "omegaconf", "hydra", "tensordict", "ray", "codetiming", "PIL", "verl") + (
    () if release_within("verl", (0, 6)) else ("kbfix_requires_verl_0_6_or_newer",))
FIXES = (0,)

# a GRPO command line for one node of 8 GPUs
RUN = ["algorithm.adv_estimator=grpo", "actor_rollout_ref.rollout.n=5", "trainer.n_gpus_per_node=8", "trainer.nnodes=1",
       "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=4",
       "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=4",
       "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=4"]


def _validate(*overrides):
    """What main_ppo's main() does before Ray starts: compose the config, then validate it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import verl
    from hydra import compose, initialize_config_dir
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    folder = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=folder, version_base=None):
        config = compose(config_name="ppo_trainer", overrides=[*RUN, *overrides])
    validate_config(config=config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config))


def reproduce():
    _validate("data.train_batch_size=32", "actor_rollout_ref.actor.ppo_mini_batch_size=64")


def fixed():
    _validate("data.train_batch_size=32", "actor_rollout_ref.actor.ppo_mini_batch_size=32")   # raises if still wrong

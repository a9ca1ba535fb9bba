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

from kbfix.reproduce import VERL_OVERLAY, VERL_REQUIRES, release_within, verl_validate

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VERL_OVERLAY
REQUIRES = VERL_REQUIRES + (
    () if release_within("verl", (0, 6)) else ("kbfix_requires_verl_0_6_or_newer",))
FIXES = (0,)

# a GRPO command line for one node of 8 GPUs
RUN = ["algorithm.adv_estimator=grpo", "actor_rollout_ref.rollout.n=5", "trainer.n_gpus_per_node=8", "trainer.nnodes=1",
       "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=4",
       "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=4",
       "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=4"]


def _validate(*overrides):
    verl_validate("ppo_trainer", [*RUN, *overrides])


def reproduce():
    _validate("data.train_batch_size=32", "actor_rollout_ref.actor.ppo_mini_batch_size=64")


def fixed():
    _validate("data.train_batch_size=32", "actor_rollout_ref.actor.ppo_mini_batch_size=32")   # raises if still wrong

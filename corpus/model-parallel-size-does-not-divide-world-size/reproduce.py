"""verl's PPO entry point (``python -m verl.trainer.main_ppo``, verl >= 0.6) composes its config and calls
``verl.utils.config.validate_config`` on it before Ray starts. With the Megatron actor
(``--config-name ppo_megatron_trainer``) it checks that the GPUs the trainer is given split into whole model
replicas: ``AssertionError: n_gpus (6) must be divisible by model_parallel_size (4) times context_parallel_size (1)``.
Here a GRPO run on one node of 6 GPUs keeps a recipe's ``tensor_model_parallel_size=4`` (written for 8 GPUs).
fixed() applies fix 0: a tensor-parallel size that divides the GPU count (2: three replicas of 2 GPUs), and the
config validates.

Nothing runs on a GPU and no model is loaded: validation only reads the config. verl is not installed in the test
environment (it needs ray, tensordict and hydra): elsewhere the test skips it.
"""

from kbfix.reproduce import VERL_OVERLAY, VERL_REQUIRES, release_within, verl_validate

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VERL_OVERLAY
REQUIRES = VERL_REQUIRES + (
    () if release_within("verl", (0, 6)) else ("kbfix_requires_verl_0_6_or_newer",))
FIXES = (0,)

# a GRPO command line for one node of 6 GPUs (batch sizes that fit 6 GPUs either way)
RUN = ["algorithm.adv_estimator=grpo", "actor_rollout_ref.rollout.n=4", "trainer.n_gpus_per_node=6", "trainer.nnodes=1",
       "data.train_batch_size=24", "actor_rollout_ref.actor.ppo_mini_batch_size=24",
       "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=2",
       "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=2",
       "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=2",
       "actor_rollout_ref.rollout.tensor_model_parallel_size=2"]


def _validate(*overrides):
    verl_validate("ppo_megatron_trainer", [*RUN, *overrides])


def reproduce():
    _validate("actor_rollout_ref.actor.megatron.tensor_model_parallel_size=4")


def fixed():
    _validate("actor_rollout_ref.actor.megatron.tensor_model_parallel_size=2")   # raises if still wrong

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

import os

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# the same pins as verl-batch-sizes-inconsistent's reproducer (one overlay folder for both)
OVERLAY = ('verl==0.9.1', 'ray==2.60.0', 'tensordict==0.10.0', 'pyvers==0.2.3', 'orjson==3.13.0', 'omegaconf==2.3.0',
           'antlr4-python3-runtime==4.9.3', 'hydra-core==1.3.2', 'codetiming==1.4.0', 'pillow==12.0.0')
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("torch", "transformers", "omegaconf", "hydra", "tensordict", "ray", "codetiming", "PIL", "verl") + (
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
    """What main_ppo's main() does before Ray starts: compose the Megatron config, then validate it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import verl
    from hydra import compose, initialize_config_dir
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    folder = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=folder, version_base=None):
        config = compose(config_name="ppo_megatron_trainer", overrides=[*RUN, *overrides])
    validate_config(config=config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config))


def reproduce():
    _validate("actor_rollout_ref.actor.megatron.tensor_model_parallel_size=4")


def fixed():
    _validate("actor_rollout_ref.actor.megatron.tensor_model_parallel_size=2")   # raises if still wrong

"""A GRPO command line copied from verl's examples of early 2025 (``examples/grpo_trainer/run_qwen2-7b.sh`` at
a65c915, verl 0.2) passes ``actor_rollout_ref.actor.fsdp_config.grad_offload=False`` and
``trainer.val_generations_to_log_to_wandb=10``. The installed verl composes its packaged ``ppo_trainer`` config with
Hydra in struct mode, and neither key is in it any more (``grad_offload`` went in PR #284, before 0.3; the logging
key became ``trainer.log_val_generations`` in PR #822, verl 0.4), so Hydra refuses the override with its real
``hydra.errors.ConfigCompositionException: Could not override 'actor_rollout_ref.actor.fsdp_config.grad_offload'.
To append to your config use +actor_rollout_ref.actor.fsdp_config.grad_offload=False`` (verl#1080), caused by
OmegaConf's ``ConfigAttributeError: Key 'grad_offload' is not in struct``.
fixed() applies fix 0: the same command line in the installed release's names (the offload keys the release has,
``trainer.log_val_generations``), and the config composes and passes verl's own ``validate_config``.

Nothing runs on a GPU and no model is loaded: composing and validating the config reads no weights. verl is not
installed in the test environment (it needs ray, tensordict and hydra): elsewhere the test skips it.
"""

from kbfix.reproduce import VERL_OVERLAY, VERL_REQUIRES, release_within, verl_validate

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VERL_OVERLAY
REQUIRES = VERL_REQUIRES + (
    () if release_within("verl", (0, 6)) else ("kbfix_requires_verl_0_6_or_newer",))
FIXES = (0,)

# the rest of the example's command line, in keys every release since 0.3 knows
RUN = ["algorithm.adv_estimator=grpo", "data.train_batch_size=1024", "actor_rollout_ref.rollout.n=5",
       "actor_rollout_ref.actor.ppo_mini_batch_size=256", "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=32",
       "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=32",
       "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=32",
       "actor_rollout_ref.actor.fsdp_config.param_offload=False",
       "actor_rollout_ref.actor.fsdp_config.optimizer_offload=False",
       "trainer.n_gpus_per_node=8", "trainer.nnodes=1"]


def reproduce():
    # the verl 0.2 keys, as the old example passes them
    verl_validate("ppo_trainer", [*RUN, "actor_rollout_ref.actor.fsdp_config.grad_offload=False",
                                  "trainer.val_generations_to_log_to_wandb=10"])


def fixed():
    # the installed release's names: no grad_offload (param_offload / optimizer_offload above), log_val_generations
    verl_validate("ppo_trainer", [*RUN, "trainer.log_val_generations=10"])

"""GRPO needs every prompt's num_generations completions in one generation batch. One process with
per_device_train_batch_size=1 and gradient_accumulation_steps=3 makes a batch of 3 completions, which cannot hold
the 8 completions of a prompt: GRPOConfig refuses it. fixed() uses 2 per device x 4 accumulation steps = 8.

TRL checks this in GRPOConfig.__post_init__ from 0.18 on (in GRPOTrainer.__init__, with a model, before): older
releases skip this reproducer. No model, no data, no GPU: the config alone raises.
"""

import tempfile

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a TRL release that checks the batch in GRPOConfig (>= 0.18)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('trl==1.16.0',)
REQUIRES = ("transformers", "trl") + (() if release_within("trl", (0, 18)) else ("kbfix_requires_trl_0_18_or_later",))
FIXES = (0,)


def _config(per_device: int, accumulation: int):
    from trl import GRPOConfig

    with tempfile.TemporaryDirectory() as out:
        return GRPOConfig(output_dir=out, report_to="none", use_cpu=True, bf16=False,
                          per_device_train_batch_size=per_device, gradient_accumulation_steps=accumulation,
                          num_generations=8)


def reproduce():
    _config(per_device=1, accumulation=3)


def fixed():
    config = _config(per_device=2, accumulation=4)
    return f"generation_batch_size={config.generation_batch_size} num_generations={config.num_generations}"

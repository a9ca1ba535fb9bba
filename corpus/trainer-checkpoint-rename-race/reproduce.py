"""Two DDP ranks (torchrun, gloo on the CPU) train a tiny Llama with the Trainer and save a checkpoint at step 1
(save_steps=1) into one output_dir. transformers 4.36.0 writes the checkpoint into ``tmp-checkpoint-1`` and then runs
``os.rename(staging_output_dir, output_dir)`` on EVERY rank: the rank that renames second either finds the staging
folder gone ("[Errno 2] No such file or directory") or, having re-created it to write its own
``rng_state_<rank>.pth``, cannot rename it onto the now non-empty ``checkpoint-1``: "OSError: [Errno 39] Directory not
empty: '.../tmp-checkpoint-1' -> '.../checkpoint-1'".

On a real multi-GPU run which rank renames second is chance. Here the script's Trainer subclass pins that
interleaving without touching the library: its save_model (which the Trainer's _save_checkpoint calls on every rank
after both ranks checked that ``checkpoint-1`` does not exist yet) waits at a barrier, then lets rank 1 go on only
once rank 0 has finished its save and renamed the folder, the way a rank that is late by a few milliseconds does.
Everything else (the staging folder, the ranks' rng_state files, the rename that raises) is transformers' own code.

This needs a transformers 4.36.x-4.38.x (verified with 4.36.0) and an accelerate older than 1.0 that its Trainer can
still call (0.27.2), as a PYTHONPATH overlay; elsewhere REQUIRES names a module that cannot exist and the test skips
it. The environment's datasets and peft are hidden from the old Trainer (they import a newer huggingface_hub API than
the overlay's 0.24). reproduce(): rank 1's os.rename raises the real OSError. fixed(): fix 0, a transformers >= 4.39
(the environment's own release, the overlay taken off PYTHONPATH): the same two-rank run saves ``checkpoint-1`` and
``checkpoint-2`` and leaves no ``tmp-checkpoint-*``. Nothing is downloaded: the model is built from a config.
"""

import os
import sys

from kbfix.reproduce import failed, release_within, succeeded, torchrun

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.36.0", "tokenizers==0.15.2", "huggingface_hub==0.24.7", "accelerate==0.27.2")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_transformers_4_36_to_4_38_with_accelerate_before_1_0"
REQUIRES = ("torch", "transformers", "accelerate") + (
    () if release_within("transformers", (4, 36), (4, 39)) and release_within("accelerate", (0, 21), (1, 0))
    else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile, time
os.environ["HF_HUB_OFFLINE"] = "1"
for hidden in ("datasets", "peft"):       # newer than the overlay's huggingface_hub: make them look absent
    sys.modules[hidden] = None
import torch
import torch.distributed as dist
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Trainer, TrainingArguments

out = sys.argv[1]                         # one output_dir for both ranks, as on one machine or a shared disk


class LateRank1Trainer(Trainer):
    """Rank 1 reaches the end of the save after rank 0 (a few milliseconds late on a real run; pinned here)."""

    def save_model(self, output_dir=None, _internal_call=False):
        if _internal_call and dist.is_initialized():
            dist.barrier()                # both ranks are past the "checkpoint-N exists?" check
            if dist.get_rank() == 1:
                final = os.path.join(out, f"checkpoint-{self.state.global_step}")
                deadline = time.time() + 120
                while not os.path.exists(os.path.join(final, "trainer_state.json")) and time.time() < deadline:
                    time.sleep(0.05)      # rank 0 has saved and renamed its staging folder
        return super().save_model(output_dir, _internal_call=_internal_call)


args = TrainingArguments(output_dir=out, max_steps=2, save_steps=1, per_device_train_batch_size=2, logging_steps=1,
                         report_to="none", use_cpu=True, ddp_backend="gloo")
rank = args.process_index
print(f"rank {rank}: transformers {transformers.__version__}, world size {args.world_size}", flush=True)
torch.manual_seed(0)
model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32))
data = [{"input_ids": torch.tensor([1, 2, 3, 4]), "labels": torch.tensor([1, 2, 3, 4])}] * 8
LateRank1Trainer(model=model, args=args, train_dataset=data).train()
dist.barrier()
print(f"rank {rank}: saved {sorted(os.listdir(out))}", flush=True)
'''


def _overlay():
    """The PYTHONPATH folder the old transformers is imported from (the overlay), or None."""
    import importlib.util

    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.origin:
        return None
    folder = os.path.realpath(os.path.dirname(os.path.dirname(spec.origin)))
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    return folder if folder in {os.path.realpath(p) for p in paths if p} else None


def _run(drop=None):
    import tempfile

    env = {"HF_HUB_OFFLINE": "1"}
    if drop:                              # fix 0: the environment's newer transformers (the overlay taken off)
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p and os.path.realpath(p) != drop)
    with tempfile.TemporaryDirectory() as out:
        script = SCRIPT.replace("sys.argv[1]", repr(out))
        return torchrun(script, 2, env=env, timeout=180)


def reproduce():
    output = failed(_run())
    assert "tmp-checkpoint-1' -> '" in output, output
    return output


def fixed():
    drop = _overlay()
    assert drop, "the old transformers is not a PYTHONPATH overlay: nothing to take off for the fix"
    output = succeeded(_run(drop), "saved ['checkpoint-1', 'checkpoint-2']")
    assert "tmp-checkpoint" not in output.split("saved", 1)[1], output
    return output

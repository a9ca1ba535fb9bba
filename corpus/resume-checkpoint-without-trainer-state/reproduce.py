"""A run saved checkpoint-1 and checkpoint-2 with the real Trainer, then was cut off while writing checkpoint-3: the
weights are on disk, the trainer files written after them (optimizer, scheduler, RNG state, trainer_state.json) are
not. Restarting with ``resume_from_checkpoint=True`` makes get_last_checkpoint pick the newest folder, checkpoint-3;
Trainer.train() loads its weights, then reads its trainer_state.json and raises FileNotFoundError. fixed() applies
fix 0 (move the incomplete folder aside, resume again: the newest complete checkpoint-2 is picked and training
continues at step 2) and fix 2 (start a new run from checkpoint-3's weights, without resuming).
"""

import os

REQUIRES = ("torch", "transformers")
FIXES = (0, 2)


def _trainer(model, folder, max_steps):
    import torch
    from transformers import Trainer, TrainingArguments

    torch.manual_seed(0)
    data = [{"input_ids": torch.arange(8), "labels": torch.arange(8)} for _ in range(8)]
    args = TrainingArguments(output_dir=folder, max_steps=max_steps, per_device_train_batch_size=2, save_steps=1,
                             report_to=[], use_cpu=True, disable_tqdm=True, logging_steps=100)
    return Trainer(model=model, args=args, train_dataset=data)


def _interrupted_run(folder):
    """checkpoint-1 and checkpoint-2 from a real run, and checkpoint-3 holding only the weights (the first file a
    checkpoint save writes) as a process killed in the middle of that save leaves it. Returns checkpoint-3."""
    from kbfix.reproduce import tiny_llama

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    trainer = _trainer(tiny_llama(), folder, max_steps=2)
    trainer.train()
    incomplete = os.path.join(folder, "checkpoint-3")
    trainer.model.save_pretrained(incomplete)
    assert not os.path.exists(os.path.join(incomplete, "trainer_state.json"))
    return incomplete


def reproduce():
    import tempfile

    from kbfix.reproduce import tiny_llama

    with tempfile.TemporaryDirectory() as folder:
        _interrupted_run(folder)
        _trainer(tiny_llama(), folder, max_steps=4).train(resume_from_checkpoint=True)


def fixed():
    import tempfile

    from kbfix.reproduce import tiny_llama
    from transformers import AutoModelForCausalLM

    with tempfile.TemporaryDirectory() as folder:
        incomplete = _interrupted_run(folder)
        # fix 0: move the half-written checkpoint away and resume again: the newest complete one is picked
        os.rename(incomplete, incomplete + ".incomplete")
        trainer = _trainer(tiny_llama(), folder, max_steps=4)
        trainer.train(resume_from_checkpoint=True)
        assert trainer.state.global_step == 4, trainer.state.global_step
        resumed = f"resumed from checkpoint-2, trained to step {trainer.state.global_step}\n"

        # fix 2: start a new run from the weights alone (step, optimizer and schedule start fresh)
        model = AutoModelForCausalLM.from_pretrained(incomplete + ".incomplete")
        fresh = _trainer(model, os.path.join(folder, "restart"), max_steps=1)
        fresh.train()
        assert fresh.state.global_step == 1, fresh.state.global_step
    return resumed + "new run from checkpoint-3's weights trained 1 step\n"

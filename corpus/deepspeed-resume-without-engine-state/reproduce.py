"""A Trainer run under DeepSpeed saved with ``save_only_model=True`` and then resumed: the real transformers Trainer
with a real DeepSpeed engine (ZeRO-0) on the CPU, one gloo rank, a tiny Llama built from a config.

The checkpoint folder holds config.json, model.safetensors, trainer_state.json and training_args.bin but no
``global_step*/`` or ``latest``, so ``deepspeed_load_checkpoint`` (transformers/integrations/deepspeed.py) raises
``ValueError: Can't find a valid checkpoint at .../checkpoint-2``. fixed() applies fix 0 (``save_only_model=False``:
the same run resumes from step 2) and fix 1 (the weights-only route: the save_only_model checkpoint loaded as the
model of a new run, no resume_from_checkpoint).
"""

from kbfix.reproduce import deepspeed_rank, tiny_llama, tiny_token_dataset, trainer_deepspeed_config

REQUIRES = ("torch", "transformers", "deepspeed", "accelerate")
FIXES = (0, 1)

DS_CONFIG = trainer_deepspeed_config(0)


def _model(path=None):
    from transformers import LlamaForCausalLM

    return LlamaForCausalLM.from_pretrained(path) if path else tiny_llama(vocab=32)


def _train(output_dir, save_only_model, max_steps, resume=None, model_path=None):
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir, deepspeed=DS_CONFIG, per_device_train_batch_size=2, max_steps=max_steps,
                             save_steps=2, save_only_model=save_only_model, report_to=[], use_cpu=True,
                             logging_steps=1, disable_tqdm=True)
    trainer = Trainer(model=_model(model_path), args=args, train_dataset=tiny_token_dataset(8))
    trainer.train(resume_from_checkpoint=resume)
    return trainer


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as out, deepspeed_rank():
        _train(out, save_only_model=True, max_steps=2)
        print(sorted(os.listdir(os.path.join(out, "checkpoint-2"))))   # no global_step2/, no latest
        _train(out, save_only_model=True, max_steps=4, resume=os.path.join(out, "checkpoint-2"))


def fixed():
    import os
    import tempfile

    shown = []
    # fix 0: the checkpoint keeps DeepSpeed's state, and the resume continues at step 2
    with tempfile.TemporaryDirectory() as out, deepspeed_rank():
        _train(out, save_only_model=False, max_steps=2)
        files = sorted(os.listdir(os.path.join(out, "checkpoint-2")))
        assert "latest" in files and "global_step2" in files, files
        trainer = _train(out, save_only_model=False, max_steps=4, resume=os.path.join(out, "checkpoint-2"))
        assert trainer.state.global_step == 4, trainer.state.global_step
        shown.append(f"fix 0: resumed from checkpoint-2 ({', '.join(files)}) to step {trainer.state.global_step}")
    # fix 1: a save_only_model checkpoint used as the model of a new run (optimizer and schedule start again)
    with tempfile.TemporaryDirectory() as out, deepspeed_rank():
        _train(out, save_only_model=True, max_steps=2)
        trainer = _train(os.path.join(out, "next"), save_only_model=True, max_steps=2,
                         model_path=os.path.join(out, "checkpoint-2"))
        shown.append(f"fix 1: new run from the checkpoint-2 weights reached step {trainer.state.global_step}")
    return "\n".join(shown)

"""Trainer.evaluate() before Trainer.train() under a ZeRO-2 DeepSpeed config: the real transformers Trainer with
DeepSpeed on the CPU (one gloo rank), a tiny Llama built from a config.

No training engine exists yet, so Trainer.evaluation_loop calls deepspeed_init(inference=True), which accepts only
ZeRO-3: ``ValueError: ZeRO inference only makes sense with ZeRO Stage 3 - please adjust your config``
(transformers/integrations/deepspeed.py). fixed() applies fix 0 (the evaluation runs inside train(), through
``eval_on_start=True``, after the engine is built) and fix 1 (the evaluation-only job runs without DeepSpeed).
"""

from kbfix.reproduce import deepspeed_rank, tiny_llama, tiny_token_dataset, trainer_deepspeed_config

REQUIRES = ("torch", "transformers", "deepspeed", "accelerate")
FIXES = (0, 1)

ZERO2 = trainer_deepspeed_config(2)


def _trainer(output_dir, deepspeed=ZERO2, **kwargs):
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir, deepspeed=deepspeed, per_device_train_batch_size=2,
                             per_device_eval_batch_size=2, report_to=[], use_cpu=True, disable_tqdm=True,
                             save_strategy="no", **kwargs)
    return Trainer(model=tiny_llama(vocab=32), args=args, train_dataset=tiny_token_dataset(4), eval_dataset=tiny_token_dataset(4))


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as out, deepspeed_rank():
        trainer = _trainer(out, max_steps=2)
        trainer.evaluate()          # baseline metrics before training: no DeepSpeed engine yet
        trainer.train()


def fixed():
    import tempfile

    shown = []
    # fix 0: the first evaluation runs inside train(), once the ZeRO-2 engine exists
    with tempfile.TemporaryDirectory() as out, deepspeed_rank():
        trainer = _trainer(out, max_steps=2, eval_on_start=True, eval_strategy="steps", eval_steps=2)
        trainer.train()
        evals = [log for log in trainer.state.log_history if "eval_loss" in log]
        assert evals and evals[0]["step"] == 0, trainer.state.log_history
        metrics = trainer.evaluate()   # after train() the engine exists: evaluating again works too
        shown.append(f"fix 0: eval at step 0 (eval_loss {evals[0]['eval_loss']:.3f}), after training {metrics['eval_loss']:.3f}")
    # fix 1: an evaluation-only job without DeepSpeed
    with tempfile.TemporaryDirectory() as out:
        metrics = _trainer(out, deepspeed=None).evaluate()
        shown.append(f"fix 1: evaluation without DeepSpeed, eval_loss {metrics['eval_loss']:.3f}")
    return "\n".join(shown)

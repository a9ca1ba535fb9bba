"""Train a tiny model with the real ``Trainer`` reporting to Weights & Biases, with no API key and no tty.

``WandbCallback.on_train_begin`` calls ``wandb.init``, which cannot prompt for a key without a terminal:
``wandb.errors.UsageError: No API key configured. Use `wandb login` to log in.`` (wandb < 0.23.1:
``api_key not configured (no-tty). call wandb.login(key=[your_api_key])``). With ``report_to="none"``
the same training runs. The run uses a throwaway HOME, so no real credentials are read or written.
"""

REQUIRES = ("torch", "transformers", "accelerate", "wandb")
FIXES = (0,)


def _trainer(folder, report_to):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM, Trainer, TrainingArguments

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    model = Qwen2ForCausalLM(config)
    rows = [{"input_ids": torch.tensor([1, 2, 3, 4]), "labels": torch.tensor([1, 2, 3, 4])}] * 2
    args = TrainingArguments(output_dir=folder, max_steps=1, per_device_train_batch_size=2,
                             report_to=report_to, save_strategy="no", logging_strategy="no",
                             disable_tqdm=True, use_cpu=True)
    return Trainer(model=model, args=args, train_dataset=rows)


def _no_tty_no_key(folder):
    """A batch job: stdin is not a terminal, no WANDB_API_KEY, an empty HOME (no ~/.netrc)."""
    import contextlib
    import io
    import os
    import sys

    @contextlib.contextmanager
    def scope():
        saved_env = {k: os.environ.get(k) for k in ("HOME", "WANDB_API_KEY", "WANDB_DIR", "WANDB_MODE",
                                                    "WANDB_DISABLED", "WANDB_CONFIG_DIR", "WANDB_CACHE_DIR")}
        saved_stdin = sys.stdin
        for k in saved_env:
            os.environ.pop(k, None)
        os.environ.update(HOME=folder, WANDB_DIR=folder, WANDB_CONFIG_DIR=folder, WANDB_CACHE_DIR=folder)
        sys.stdin = io.StringIO()
        try:
            yield
        finally:
            sys.stdin = saved_stdin
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    return scope()


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder, _no_tty_no_key(folder):
        _trainer(folder, report_to=["wandb"]).train()


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder, _no_tty_no_key(folder):
        result = _trainer(folder, report_to="none").train()   # fix 0: no reporting integration
        assert result.global_step == 1

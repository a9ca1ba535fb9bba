"""Ask the Trainer for bf16 (and TF32) on a machine whose torch sees no bf16-capable GPU.

On this CPU-only machine ``TrainingArguments(bf16=True)`` fails with the same ValueError a V100, T4 or
RTX 2080 Ti user gets (``Your setup doesn't support bf16/gpu``); ``tf32=True`` fails with
``--tf32 requires Ampere or a newer GPU arch``. On an Ampere or newer GPU nothing is raised.
"""

import tempfile

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0, 1, 2)


def _args(**kwargs):
    from transformers import TrainingArguments

    return TrainingArguments(output_dir=tempfile.mkdtemp(prefix="kbfix-bf16-"), report_to="none",
                             per_device_train_batch_size=1, **kwargs)


def reproduce():
    _args(bf16=True)


def fixed():
    import torch

    if torch.cuda.is_available():
        _args(fp16=True)            # fix 0: fp16 mixed precision on a pre-Ampere GPU
    else:
        _args(use_cpu=True)         # fix 0 has no CPU form: fp16 autocast needs a GPU; train on CPU
    args = _args()                  # fix 1: no mixed precision (fp32)
    assert not args.bf16 and not args.fp16
    _args(tf32=False)               # fix 2: leave TF32 off on pre-Ampere

"""Save a checkpoint onto a volume that takes no more bytes, then save with checkpoint rotation and no optimizer states."""

import os

from kbfix.reproduce import tiny_token_dataset

# /dev/full (Linux) stands in for the full volume; elsewhere the test is skipped (this module never exists)
REQUIRES = ("torch", "transformers", "accelerate") + (() if os.path.exists("/dev/full") else ("kbfix_requires_linux_dev_full",))
FIXES = (0, 2)


def _tiny_model():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    return Qwen2ForCausalLM(config)


def reproduce():
    import torch

    model = _tiny_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    # /dev/full answers every write() with ENOSPC, exactly like a volume with no space left
    # (torch.save opens the path itself; never point an atomic writer such as safetensors at it)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": 500}, "/dev/full")


def fixed():
    import os
    import shutil
    import tempfile

    from transformers import Trainer, TrainingArguments

    with tempfile.TemporaryDirectory() as output_dir:
        model = _tiny_model()
        # fix 1 (check): know what one checkpoint costs and what the volume has left before training
        weights = sum(p.numel() * p.element_size() for p in model.parameters())
        assert shutil.disk_usage(output_dir).free > 4 * weights
        args = TrainingArguments(
            output_dir=output_dir, max_steps=3, per_device_train_batch_size=2, learning_rate=1e-3,
            save_strategy="steps", save_steps=1,
            save_total_limit=1,      # fix 0: keep only the newest checkpoint on disk
            save_only_model=True,    # fix 2: no optimizer/scheduler states (about 2/3 of an AdamW checkpoint)
            report_to=[], use_cpu=True, disable_tqdm=True, logging_strategy="no", dataloader_num_workers=0,
        )
        Trainer(model=model, args=args, train_dataset=tiny_token_dataset(8, vocab=64)).train()
        checkpoints = sorted(d for d in os.listdir(output_dir) if d.startswith("checkpoint-"))
        assert checkpoints == ["checkpoint-3"], checkpoints
        files = os.listdir(os.path.join(output_dir, "checkpoint-3"))
        assert "model.safetensors" in files and "optimizer.pt" not in files, files

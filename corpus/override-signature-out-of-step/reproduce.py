"""A Trainer subclass written for transformers < 4.46 overrides training_step(model, inputs); the installed
training loop calls it with num_items_in_batch too."""

import tempfile

REQUIRES = ("transformers", "torch", "accelerate")
FIXES = (0,)


def _train(trainer_class):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, TrainingArguments

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=16, vocab_size=32, n_positions=16))
    rows = [{"input_ids": torch.arange(8) % 32, "labels": torch.arange(8) % 32} for _ in range(4)]
    args = TrainingArguments(output_dir=tempfile.mkdtemp(), max_steps=1, per_device_train_batch_size=2,
                             report_to="none", use_cpu=True, save_strategy="no", logging_strategy="no")
    trainer_class(model=model, args=args, train_dataset=rows).train()


def reproduce():
    from transformers import Trainer

    class OldTrainer(Trainer):
        def training_step(self, model, inputs):  # the signature before transformers 4.46
            return super().training_step(model, inputs)

    _train(OldTrainer)


def fixed():
    from transformers import Trainer

    class UpdatedTrainer(Trainer):
        def training_step(self, model, inputs, num_items_in_batch=None):
            return super().training_step(model, inputs, num_items_in_batch)

    _train(UpdatedTrainer)

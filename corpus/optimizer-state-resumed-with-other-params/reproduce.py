"""A tiny Qwen2 model trained with the real transformers Trainer (all parameters trainable) writes checkpoint-2
(model weights + optimizer.pt + scheduler.pt). The run is restarted with the embeddings frozen and resumed with
``trainer.train(resume_from_checkpoint=...)``: the new AdamW holds fewer parameters in its decay group than the
saved one, and torch's ``Optimizer.load_state_dict`` (under ``Trainer._load_optimizer_and_scheduler``) raises
``ValueError: loaded state dict contains a parameter group that doesn't match the size of optimizer's group``.

fixed() resumes with the same trainable setup as the saving run (fix 0), then starts a new run from the
checkpoint's weights only, with the embeddings frozen and a fresh optimizer (fix 1). CPU only.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _model(path=None):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    if path is not None:
        return Qwen2ForCausalLM.from_pretrained(path)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=False)
    return Qwen2ForCausalLM(config)


def _trainer(model, folder, max_steps):
    import torch
    from transformers import Trainer, TrainingArguments

    data = [{"input_ids": torch.arange(8), "labels": torch.arange(8)} for _ in range(8)]
    args = TrainingArguments(output_dir=folder, max_steps=max_steps, per_device_train_batch_size=2, save_steps=2,
                             save_strategy="steps", report_to=[], use_cpu=True, disable_tqdm=True,
                             logging_steps=100, weight_decay=0.01)
    return Trainer(model=model, args=args, train_dataset=data)


def _first_run(folder):
    import os

    _trainer(_model(), folder, 2).train()  # every parameter trainable
    checkpoint = os.path.join(folder, "checkpoint-2")
    assert os.path.isfile(os.path.join(checkpoint, "optimizer.pt")), os.listdir(checkpoint)
    return checkpoint


def _freeze_embeddings(model):
    model.get_input_embeddings().weight.requires_grad_(False)  # the restarted run changed the trainable set
    return model


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        checkpoint = _first_run(folder)
        _trainer(_freeze_embeddings(_model()), folder, 4).train(resume_from_checkpoint=checkpoint)


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        checkpoint = _first_run(folder)
        # fix 0: resume with exactly the trainable setup the checkpoint was saved with
        trainer = _trainer(_model(), folder, 4)
        trainer.train(resume_from_checkpoint=checkpoint)
        assert trainer.state.global_step == 4, trainer.state.global_step
        # fix 1: the new setup as a new run: weights from the checkpoint, a fresh optimizer and schedule
        model = _freeze_embeddings(_model(checkpoint))
        trainer = _trainer(model, folder + "/new-run", 2)
        trainer.train()
        assert trainer.state.global_step == 2, trainer.state.global_step
    return "resumed to step 4 with the saved trainable set; new run from the checkpoint weights trained 2 steps\n"

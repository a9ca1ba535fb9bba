"""A LoRA run leaves checkpoint folders with adapter weights only; resume one with the bare base model."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _base_model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    return Qwen2ForCausalLM(config)


def _lora_checkpoint(folder):
    """What Trainer writes for a PEFT model at save_steps: adapter_config.json + adapter_model.safetensors
    (+ trainer_state.json; no model.safetensors)."""
    import os

    from peft import LoraConfig, get_peft_model
    from transformers import TrainerState

    checkpoint = os.path.join(folder, "checkpoint-2")
    model = get_peft_model(_base_model(), LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]))
    model.save_pretrained(checkpoint)
    TrainerState(global_step=0, max_steps=1, train_batch_size=2).save_to_json(os.path.join(checkpoint, "trainer_state.json"))
    return checkpoint


def _resume(model, folder, checkpoint):
    import torch
    from transformers import Trainer, TrainingArguments

    data = [{"input_ids": torch.arange(8), "labels": torch.arange(8)} for _ in range(4)]
    args = TrainingArguments(output_dir=folder, max_steps=1, per_device_train_batch_size=2, save_strategy="no",
                             report_to=[], use_cpu=True, disable_tqdm=True, logging_steps=100)
    Trainer(model=model, args=args, train_dataset=data).train(resume_from_checkpoint=checkpoint)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        checkpoint = _lora_checkpoint(folder)
        _resume(_base_model(), folder, checkpoint)  # the LoRA wrapping was forgotten on restart


def fixed():
    import tempfile

    from peft import PeftModel

    with tempfile.TemporaryDirectory() as folder:
        checkpoint = _lora_checkpoint(folder)
        model = PeftModel.from_pretrained(_base_model(), checkpoint, is_trainable=True)
        _resume(model, folder, checkpoint)
        assert any("lora_A" in n for n, p in model.named_parameters() if p.requires_grad)

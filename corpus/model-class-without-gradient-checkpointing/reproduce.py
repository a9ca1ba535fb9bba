"""A tiny JetMoeForCausalLM built from a config (its PreTrainedModel class sets supports_gradient_checkpointing =
False in transformers) trained by the real Trainer with TrainingArguments(gradient_checkpointing=True): train()
enables checkpointing first and transformers raises "ValueError: JetMoeForCausalLM does not support gradient
checkpointing." ("... activation checkpointing." from 5.23 on).

fixed() trains the same model one step with checkpointing off (fix 0), and a tiny LlamaForCausalLM, a class that
supports checkpointing, one step with it on (fix 1). CPU only, nothing downloaded.
"""

import tempfile

REQUIRES = ("transformers", "torch", "accelerate")
FIXES = (0, 1)


def _rows():
    import torch

    return [{"input_ids": torch.arange(8) % 32, "labels": torch.arange(8) % 32} for _ in range(4)]


def _jetmoe():
    import torch
    from transformers import JetMoeConfig, JetMoeForCausalLM

    torch.manual_seed(0)
    config = JetMoeConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_key_value_heads=1, kv_channels=8,
                          intermediate_size=16, num_local_experts=2, num_experts_per_tok=1, max_position_embeddings=16)
    return JetMoeForCausalLM(config)


def _llama():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=16)
    return LlamaForCausalLM(config)


def _train(model, checkpointing):
    import warnings

    from transformers import Trainer, TrainingArguments

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)      # gradient_checkpointing renamed in transformers 5.x
        args = TrainingArguments(output_dir=tempfile.mkdtemp(), max_steps=1, per_device_train_batch_size=2,
                                 gradient_checkpointing=checkpointing, report_to="none", use_cpu=True,
                                 save_strategy="no", logging_strategy="no", disable_tqdm=True)
        Trainer(model=model, args=args, train_dataset=_rows()).train()
    return model


def reproduce():
    model = _jetmoe()
    assert not model.supports_gradient_checkpointing
    _train(model, checkpointing=True)            # raises the real ValueError


def fixed():
    _train(_jetmoe(), checkpointing=False)       # fix 0: checkpointing off for this class
    llama = _llama()                             # fix 1: a class that supports it
    assert llama.supports_gradient_checkpointing
    _train(llama, checkpointing=True)
    assert llama.is_gradient_checkpointing

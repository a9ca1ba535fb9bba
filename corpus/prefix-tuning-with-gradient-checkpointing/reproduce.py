"""Prefix tuning on a tiny Llama whose gradient checkpointing is already on: PEFT (>= 0.14) refuses it in
get_peft_model. The fixes train the same model without checkpointing, or keep checkpointing with another PEFT
method (LoRA; prompt tuning, which adds virtual tokens to the input instead of to the KV cache)."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1)


def _llama():
    from kbfix.reproduce import tiny_llama

    return tiny_llama(layers=2)


def _step(model):
    import torch

    model.train()
    ids = torch.randint(0, 64, (2, 6))
    loss = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=ids).loss
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert grads and all(g is not None for g in grads), "the adapter got no gradient"


def reproduce():
    from peft import PrefixTuningConfig, get_peft_model

    model = _llama()
    model.gradient_checkpointing_enable()
    # ValueError: PREFIX_TUNING does not work with gradient checkpointing.
    get_peft_model(model, PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4))


def fixed():
    from peft import LoraConfig, PrefixTuningConfig, PromptTuningConfig, get_peft_model

    # fix 0: keep prefix tuning, leave gradient checkpointing off
    _step(get_peft_model(_llama(), PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4)))
    # fix 1: keep gradient checkpointing, use a method that does not go through the KV cache
    for config in (LoraConfig(task_type="CAUSAL_LM", r=4, target_modules=["q_proj", "v_proj"]),
                   PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4)):
        model = _llama()
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        _step(get_peft_model(model, config))

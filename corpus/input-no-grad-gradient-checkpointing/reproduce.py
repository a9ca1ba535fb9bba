"""LoRA on a frozen tiny ViT with reentrant gradient checkpointing: nothing entering the checkpoints needs grad."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1)


def _lora_vit():
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import ViTConfig, ViTForImageClassification

    torch.manual_seed(0)
    config = ViTConfig(image_size=16, patch_size=8, num_channels=3, hidden_size=16, num_hidden_layers=2,
                       num_attention_heads=2, intermediate_size=32, num_labels=3)
    # recent transformers name ViT attention q_proj/k_proj/v_proj (older: query/key/value)
    names = {n.rsplit(".", 1)[-1] for n, _ in ViTForImageClassification(config).named_modules()}
    targets = ["q_proj", "v_proj"] if "q_proj" in names else ["query", "value"]
    model = get_peft_model(ViTForImageClassification(config), LoraConfig(r=4, target_modules=targets))
    model.train()
    return model


def _step(model):
    import torch

    pixels, labels = torch.randn(2, 3, 16, 16), torch.tensor([0, 1])
    model(pixel_values=pixels, labels=labels).loss.backward()
    grads = [p.grad for n, p in model.named_parameters() if "lora_A" in n]
    assert grads and all(g is not None for g in grads), "LoRA weights got no gradient"


def reproduce():
    """Return what the console shows: torch's checkpoint warning, then the backward traceback."""
    import traceback
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _lora_vit()
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": True})
        try:
            _step(model)
        except RuntimeError:
            error = traceback.format_exc()
        else:
            return ""
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
                    for w in caught if "requires_grad" in str(w.message))
    return shown + error


def fixed():
    model = _lora_vit()  # fix 0: non-reentrant checkpointing
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    _step(model)
    model = _lora_vit()  # fix 1: keep reentrant, make the embedding output require grad
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": True})
    model.enable_input_require_grads()
    _step(model)

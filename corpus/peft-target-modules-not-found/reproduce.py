"""LoRA with Llama-style module names on a tiny GPT-2, whose attention is one fused Conv1D called c_attn."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _tiny_gpt2():
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=64, n_positions=32, n_embd=16, n_layer=2, n_head=2)
    return GPT2LMHeadModel(config)


def _linear_names(model):
    """The leaf names LoRA can target: what fix 0 tells the user to print."""
    import torch
    from transformers.pytorch_utils import Conv1D

    return sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                   if isinstance(module, (torch.nn.Linear, Conv1D))})


def reproduce():
    from peft import LoraConfig, get_peft_model

    get_peft_model(_tiny_gpt2(), LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))


def fixed():
    from peft import LoraConfig, get_peft_model

    model = _tiny_gpt2()
    names = _linear_names(model)                    # ['c_attn', 'c_fc', 'c_proj', 'lm_head']
    assert "c_attn" in names and "q_proj" not in names
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["c_attn"], fan_in_fan_out=True))
    assert any("lora_A" in n for n, _ in peft_model.named_parameters())
    peft_model = get_peft_model(_tiny_gpt2(), LoraConfig(r=4, target_modules="all-linear"))
    assert any("lora_A" in n for n, _ in peft_model.named_parameters())

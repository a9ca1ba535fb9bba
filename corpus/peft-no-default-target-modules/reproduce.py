"""Wrap a tiny OLMo 2 model (a model type without a PEFT default) in LoRA without target_modules.

``get_peft_model`` looks up ``olmo2`` in PEFT's table of default target modules, finds nothing, and
raises ``Please specify `target_modules` ... in `peft_config```. The fix lists the linear layers and
passes them explicitly.
"""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _model():
    from transformers import Olmo2Config, Olmo2ForCausalLM

    config = Olmo2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1,
                         pad_token_id=0, eos_token_id=1, bos_token_id=2)
    return Olmo2ForCausalLM(config)


def reproduce():
    from peft import LoraConfig, get_peft_model

    get_peft_model(_model(), LoraConfig(r=4, lora_alpha=8, task_type="CAUSAL_LM"))


def fixed():
    import torch
    from peft import LoraConfig, get_peft_model

    model = _model()
    linear = sorted({n.split(".")[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)})
    assert {"q_proj", "v_proj"} <= set(linear), linear
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, task_type="CAUSAL_LM",
                                                  target_modules=["q_proj", "v_proj"]))
    assert sum(p.numel() for p in peft_model.parameters() if p.requires_grad) > 0

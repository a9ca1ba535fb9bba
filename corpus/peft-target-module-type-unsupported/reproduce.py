"""LoRA with target_modules=["mlp"] on a tiny Llama built from a config: "mlp" is the suffix of every decoder
layer's LlamaMLP, a container of three Linear layers, so PEFT's LoRA dispatch finds no layer type it can wrap and
raises "ValueError: Target module LlamaMLP(...) is not supported. Currently, only the following modules are
supported: ...". fixed() targets the leaf Linear names inside the container (gate_proj, up_proj, down_proj: fix 0,
printed from the model as that fix shows) and target_modules="all-linear" (the same fix), and trains one step each.
"""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _tiny_llama():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32)
    return LlamaForCausalLM(config)


def _linear_leaf_names(model):
    """What fix 0 tells the user to print: the leaf names of the layers LoRA can wrap."""
    import torch

    return {name.split(".")[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}


def _train_one_step(peft_model):
    import torch

    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n, p in peft_model.named_parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW(trainable, lr=1e-3)
    ids = torch.randint(0, 64, (2, 8))
    loss = peft_model(input_ids=ids, labels=ids).loss
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    return loss.item()


def reproduce():
    from peft import LoraConfig, get_peft_model

    get_peft_model(_tiny_llama(), LoraConfig(r=4, lora_alpha=8, target_modules=["mlp"]))


def fixed():
    from peft import LoraConfig, get_peft_model

    model = _tiny_llama()
    names = _linear_leaf_names(model)               # gate_proj up_proj down_proj q_proj k_proj v_proj o_proj lm_head
    assert {"gate_proj", "up_proj", "down_proj"} <= names and "mlp" not in names
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["gate_proj", "up_proj", "down_proj"]))
    wrapped = {n.split(".lora_A")[0].split(".")[-1] for n, _ in peft_model.named_parameters() if ".lora_A." in n}
    assert wrapped == {"gate_proj", "up_proj", "down_proj"}, wrapped
    first = _train_one_step(peft_model)
    peft_model = get_peft_model(_tiny_llama(), LoraConfig(r=4, lora_alpha=8, target_modules="all-linear"))
    second = _train_one_step(peft_model)
    return f"trained one step: loss {first:.3f} (mlp leaf Linear layers), {second:.3f} (all-linear)\n"

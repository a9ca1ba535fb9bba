"""A tiny module's Linear is quantized with torchao's own ``quantize_(model, Int8WeightOnlyConfig())`` (no transformers
quantizer recorded on the model) and a LoRA adapter is attached with ``get_peft_model``: PEFT 0.14-0.19 builds
``TorchaoLoraLinear`` without ``get_apply_tensor_subclass`` and raises the real ``TypeError``. fixed() applies fix 0: a
tiny Llama (built from a config, saved to a temporary folder) is loaded with
``quantization_config=TorchAoConfig(Int8WeightOnlyConfig())``, so ``model.hf_quantizer`` carries the subclass function,
the adapter attaches (``TorchaoLoraLinear``) and one LoRA training step runs.
"""

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("peft==0.19.1", "torchao==0.18.0")
REQUIRES = ("torch", "transformers", "peft", "torchao")
FIXES = (0,)


def reproduce():
    import torch
    from peft import LoraConfig, get_peft_model
    from torchao.quantization import Int8WeightOnlyConfig, quantize_

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(64, 64, bias=False)

        def forward(self, x):
            return self.proj(x)

    model = Tiny().to(torch.bfloat16)
    quantize_(model, Int8WeightOnlyConfig())  # quantized by hand: no model.hf_quantizer
    get_peft_model(model, LoraConfig(target_modules=["proj"], r=4))


def fixed():
    import tempfile

    import torch
    from peft import LoraConfig, get_peft_model
    from torchao.quantization import Int8WeightOnlyConfig
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, TorchAoConfig

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=4)
    with tempfile.TemporaryDirectory() as folder:
        LlamaForCausalLM(cfg).to(torch.bfloat16).save_pretrained(folder)
        # fix 0: the loader quantizes (same torchao scheme) and records its quantizer on the model
        model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=torch.bfloat16, quantization_config=TorchAoConfig(Int8WeightOnlyConfig()))
        assert getattr(model, "hf_quantizer", None) is not None
        peft_model = get_peft_model(model, LoraConfig(target_modules=["q_proj", "v_proj"], r=4))
        layer = peft_model.base_model.model.model.layers[0].self_attn.q_proj
        assert type(layer).__name__ == "TorchaoLoraLinear", type(layer)
        ids = torch.tensor([[1, 2, 3, 4]])
        loss = peft_model(input_ids=ids, labels=ids).loss
        loss.backward()
        assert layer.lora_A["default"].weight.grad is not None
    return f"LoRA attached to the TorchAoConfig-loaded model ({type(layer).__name__}), one step, loss {loss.item():.3f}"

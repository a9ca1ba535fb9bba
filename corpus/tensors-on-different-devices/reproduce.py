"""Move a small causal LM to the GPU and feed it token ids left on the CPU, as a tokenizer returns them.

The embedding lookup gets a CPU index for a CUDA weight: ``RuntimeError: Expected all tensors to be on
the same device, but found at least two devices, cuda:0 and cpu!`` (torch 2.x; newer torch words it
``... but got index is on cpu, different from other tensors on cuda:0``). Needs a CUDA GPU
(``scripts/verify_gpu.py``): on a CPU-only machine every tensor is on the same device.
"""

REQUIRES = ("torch", "transformers")
DEVICES = ("cuda",)
FIXES = (0,)


def _model_and_inputs():
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    model = Qwen2ForCausalLM(config).to("cuda").eval()
    inputs = {"input_ids": torch.randint(0, 128, (1, 12)), "attention_mask": torch.ones(1, 12, dtype=torch.long)}
    return model, inputs  # the inputs stay on the CPU, as tokenizer(..., return_tensors="pt") leaves them


def reproduce():
    import torch

    model, inputs = _model_and_inputs()
    with torch.no_grad():
        model(**inputs)


def fixed():
    import torch

    model, inputs = _model_and_inputs()
    inputs = {k: v.to(model.device) for k, v in inputs.items()}  # fix 0: move the inputs to the model's device
    with torch.no_grad():
        logits = model(**inputs).logits
    assert logits.device.type == "cuda"

"""Mixed-precision training step with fp16 *trainable* parameters and a real GradScaler.

A tiny Qwen2 is loaded in float16 (``torch_dtype=torch.float16``) and wrapped with LoRA; PEFT keeps
the LoRA matrices in fp32, but the ``modules_to_save`` copy of ``lm_head`` stays fp16. The step is
what Trainer/Accelerate do with ``fp16=True`` (autocast, ``scaler.scale(loss).backward()``,
``scaler.unscale_(optimizer)`` before clipping). The CPU GradScaler raises the same
``ValueError: Attempting to unscale FP16 gradients.`` as the CUDA one.
"""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1, 2)


def _model(dtype):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(dtype)
    lora = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], modules_to_save=["lm_head"])
    return get_peft_model(model, lora)


def _step(model, amp_dtype, use_scaler):
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-3)
    scaler = torch.amp.GradScaler("cpu", enabled=use_scaler)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    with torch.autocast("cpu", dtype=amp_dtype):
        loss = model(input_ids=ids, labels=ids).loss
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)  # Trainer / accelerator.clip_grad_norm_ do this before clipping
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    scaler.step(optimizer)
    scaler.update()
    return loss


def reproduce():
    import torch

    _step(_model(torch.float16), torch.float16, use_scaler=True)


def fixed():
    import torch

    # fix 0: keep the fp16 base weights, upcast only the trainable parameters to fp32
    model = _model(torch.float16)
    for param in model.parameters():
        if param.requires_grad:
            param.data = param.data.float()
    assert torch.isfinite(_step(model, torch.float16, use_scaler=True))
    # fix 1: load the model in fp32 and let fp16 autocast do the half-precision math
    assert torch.isfinite(_step(_model(torch.float32), torch.float16, use_scaler=True))
    # fix 2: bf16 weights and bf16 autocast need no GradScaler at all
    assert torch.isfinite(_step(_model(torch.bfloat16), torch.bfloat16, use_scaler=False))

"""An adapter in the layout PEFT 0.1-0.2 saved for a fused projection (GPT-2's c_attn with
enable_lora=[True, False, True]: one lora_A for q and v together, lora_B a grouped Conv1d of shape
[2 * hidden, r, 1]), loaded into a LoRA that today's PEFT builds: a size mismatch on every lora_B. The
fix converts the old tensors into today's layout (rank 2r, lora_alpha 2 * alpha: the same scaling) and
checks the converted adapter computes what the old one did."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (1,)
HIDDEN, R, ALPHA = 16, 4, 8


def _base():
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    return GPT2LMHeadModel(GPT2Config(vocab_size=64, n_positions=32, n_embd=HIDDEN, n_layer=2, n_head=2))


def _old_adapter():
    """What peft 0.2.0's MergedLinear saved for each c_attn: keys without an adapter name."""
    import torch

    torch.manual_seed(1)
    state = {}
    for layer in range(2):
        prefix = f"base_model.model.transformer.h.{layer}.attn.c_attn"
        state[f"{prefix}.lora_A.weight"] = torch.randn(2 * R, HIDDEN)          # q and v stacked: [2r, in]
        state[f"{prefix}.lora_B.weight"] = torch.randn(2 * HIDDEN, R, 1)        # Conv1d(2r, 2*hidden, 1, groups=2)
    return state


def reproduce():
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict

    model = get_peft_model(_base(), LoraConfig(r=R, lora_alpha=ALPHA, target_modules=["c_attn"], fan_in_fan_out=True))
    set_peft_model_state_dict(model, _old_adapter())  # RuntimeError: size mismatch ... lora_B ... [32, 4, 1]


def convert(old, hidden):
    """Today's layout for an old enable_lora=[True, False, True] adapter: rank 2r, lora_B [3 * hidden, 2r]
    with q's rows fed by the first r ranks and v's rows by the last r (k's rows zero)."""
    import torch

    new = {}
    for key, tensor in old.items():
        if key.endswith("lora_B.weight") and tensor.dim() == 3:
            r = tensor.shape[1]
            b = torch.zeros(3 * hidden, 2 * r, dtype=tensor.dtype)
            b[:hidden, :r] = tensor[:hidden, :, 0]             # q
            b[2 * hidden:, r:] = tensor[hidden:, :, 0]         # v
            new[key] = b
        else:
            new[key] = tensor
    return new


def fixed():
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict

    old = _old_adapter()
    model = get_peft_model(_base(), LoraConfig(r=2 * R, lora_alpha=2 * ALPHA, target_modules=["c_attn"],
                                               fan_in_fan_out=True))
    set_peft_model_state_dict(model, convert(old, HIDDEN))
    # the converted layer adds exactly what peft 0.2.0's MergedLinear added: zero_pad(B(A(x))) * alpha / r
    layer = model.base_model.model.transformer.h[0].attn.c_attn
    x = torch.randn(3, HIDDEN)
    prefix = "base_model.model.transformer.h.0.attn.c_attn"
    a, b = old[f"{prefix}.lora_A.weight"], old[f"{prefix}.lora_B.weight"]
    after_a = x @ a.T                                                   # [3, 2r]
    after_b = torch.nn.functional.conv1d(after_a.unsqueeze(-1), b, groups=2).squeeze(-1)  # [3, 2 * hidden]
    expected = torch.zeros(3, 3 * HIDDEN)
    expected[:, :HIDDEN], expected[:, 2 * HIDDEN:] = after_b[:, :HIDDEN], after_b[:, HIDDEN:]
    expected *= ALPHA / R
    with torch.no_grad():
        got = layer(x) - layer.base_layer(x)
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()

"""Sample from a tiny Gemma in float16 whose MLP activations exceed the fp16 range (65504).

Real Gemma, Gemma 2 and Qwen checkpoints have activations in the 1e5 range in some layers; here the
MLP weights of a tiny Gemma are scaled (kept well inside the fp16 range themselves) so its residual
stream reaches that size too. In float16 it overflows to inf, RMSNorm turns inf into nan, and
sampling fails with ``probability tensor contains either `inf`, `nan` or element < 0``. The same
weights in bfloat16 or float32 generate normally.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _state():
    import torch
    from transformers import GemmaConfig, GemmaForCausalLM

    config = GemmaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                         pad_token_id=0, bos_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    model = GemmaForCausalLM(config)
    with torch.no_grad():
        for layer in model.model.layers:  # |w| ~ 20: fine in fp16, but the MLP output reaches ~1e5
            for proj in (layer.mlp.gate_proj, layer.mlp.up_proj, layer.mlp.down_proj):
                proj.weight.mul_(1000.0)
    return config, model.state_dict()


def _generate(dtype):
    import torch
    from transformers import GemmaForCausalLM

    config, state = _state()
    model = GemmaForCausalLM(config)
    model.load_state_dict(state)
    model = model.to(dtype).eval()
    return model.generate(torch.tensor([[1, 5, 6, 7]]), do_sample=True, max_new_tokens=4, pad_token_id=0)


def reproduce():
    import torch

    _generate(torch.float16)


def fixed():
    import torch

    for dtype in (torch.bfloat16, torch.float32):  # fix 0: bf16, fix 1: fp32
        out = _generate(dtype)
        assert out.shape[1] == 8

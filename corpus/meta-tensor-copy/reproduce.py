"""Build a tiny Qwen2 under accelerate's init_empty_weights (what device_map / low_cpu_mem_usage do) and move it."""

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0,)


def _config():
    from transformers import Qwen2Config

    return Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                       num_attention_heads=2, num_key_value_heads=1)


def _empty_model():
    from accelerate import init_empty_weights
    from transformers import Qwen2ForCausalLM

    with init_empty_weights():
        return Qwen2ForCausalLM(_config())  # every parameter on the meta device: shapes, no data


def reproduce():
    _empty_model().to("cpu")


def fixed():
    import torch
    from transformers import Qwen2ForCausalLM

    weights = Qwen2ForCausalLM(_config()).state_dict()  # stands in for the checkpoint on disk
    model = _empty_model()
    model.load_state_dict(weights, assign=True)  # give every meta parameter its data first
    model.to("cpu")
    assert not any(p.is_meta for p in model.parameters())
    assert torch.isfinite(model(torch.tensor([[1, 2, 3]])).logits).all()

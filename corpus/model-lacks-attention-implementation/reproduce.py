"""Build a tiny model of a class that declares no SDPA support in the installed transformers (Bloom in 4.x and 5.x;
the first of a few such classes whose ``_supports_sdpa`` is still False) and ask for ``attn_implementation="sdpa"``:
the real check in ``modeling_utils.py`` raises ``ValueError: BloomForCausalLM does not support an attention
implementation through torch.nn.functional.scaled_dot_product_attention yet ...``. ``flash_attention_2`` (the class
check comes before the flash_attn package check, so a CPU without flash_attn gets this error too) and
``flex_attention`` are refused the same way when the class lacks them. fixed() loads the same config with
``attn_implementation="eager"`` (fix 0) and runs a training forward pass. CPU only, no download.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _model_class_and_config():
    import transformers

    candidates = (
        ("BloomForCausalLM", "BloomConfig", dict(vocab_size=64, hidden_size=16, n_layer=1, n_head=2)),
        ("XGLMForCausalLM", "XGLMConfig", dict(vocab_size=64, d_model=16, num_layers=1, attention_heads=2, ffn_dim=32)),
        ("MptForCausalLM", "MptConfig", dict(vocab_size=64, d_model=16, n_layers=1, n_heads=2)),
    )
    for model_name, config_name, kwargs in candidates:
        cls = getattr(transformers, model_name, None)
        if cls is not None and not getattr(cls, "_supports_sdpa", False):
            return cls, getattr(transformers, config_name)(**kwargs)
    raise RuntimeError("every candidate class supports SDPA in this transformers release")


def _load(attn_implementation):
    from transformers import AutoModelForCausalLM

    _, config = _model_class_and_config()
    return AutoModelForCausalLM.from_config(config, attn_implementation=attn_implementation)


def reproduce():
    _load("sdpa")  # ValueError: <Class> does not support an attention implementation through ... sdpa ... yet


def fixed():
    import torch

    model = _load("eager")  # fix 0
    assert model.config._attn_implementation == "eager"
    model.train()
    ids = torch.tensor([[1, 5, 6, 7, 8, 9]])
    loss = model(input_ids=ids, labels=ids).loss
    assert torch.isfinite(loss)
    return f"{type(model).__name__} loaded with attn_implementation={model.config._attn_implementation}, loss {loss.item():.3f}\n"

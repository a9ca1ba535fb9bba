"""Move a tiny model to "cuda" with a CPU-only PyTorch build, then pick the device from what the build offers."""


def _cuda_build():
    try:
        import torch
    except ImportError:
        return False
    return hasattr(torch._C, "_cuda_getDeviceCount")  # the attribute torch.cuda._lazy_init checks


# The error only exists on a CPU-only build: with a CUDA build the test is skipped (this module is never installed).
REQUIRES = ("torch", "transformers") + (("kbfix_requires_a_cpu_only_torch_build",) if _cuda_build() else ())
FIXES = (1,)


def _tiny_model():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    return Qwen2ForCausalLM(config)


def reproduce():
    model = _tiny_model()
    model.to("cuda")  # hard-coded device, as in most training scripts


def fixed():
    import torch

    print("torch", torch.__version__, "cuda build:", torch.version.cuda, "available:", torch.cuda.is_available())
    # fix 1: never hard-code "cuda"; use what this torch build and machine provide
    if torch.cuda.is_available():
        device = torch.device("cuda")
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    model = _tiny_model().to(device)
    ids = torch.arange(8, device=device).unsqueeze(0)
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    assert torch.isfinite(loss)

"""Save a state_dict while parameters are ZeRO-3 partitioned, then load it into a full model.

DeepSpeed ZeRO-3 frees each parameter outside its forward pass with
``param.data = torch.empty(0, dtype=param.dtype, device=param.device)``
(deepspeed/runtime/zero/partition_parameters.py, free_param). DeepSpeed needs a GPU and a process group, so
this reproducer applies that same assignment to a tiny Qwen2 and saves ``model.state_dict()`` the way a
custom save callback does without gathering; the error is torch's own strict-load check. The fixes need
DeepSpeed itself (gathering, zero_to_fp32.py), so they are verified by a check, not here.
"""

REQUIRES = ("torch", "transformers")
FIXES = ()


def _model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=False)
    return Qwen2ForCausalLM(config)


def _partition(model):
    """What ZeRO-3 leaves in each parameter on a rank between gathers (its shard lives elsewhere)."""
    import torch

    full = {name: p.data.clone() for name, p in model.named_parameters()}
    for p in model.parameters():
        p.data = torch.empty(0, dtype=p.dtype, device=p.device)
    return full


def reproduce():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pytorch_model.bin")
        trained = _model()
        _partition(trained)
        torch.save(trained.state_dict(), path)  # no GatheredParameters, no zero_to_fp32
        _model().load_state_dict(torch.load(path, map_location="cpu", weights_only=True))


def fixed():
    """With the parameters gathered before state_dict() (what GatheredParameters restores), the load works."""
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pytorch_model.bin")
        trained = _model()
        full = _partition(trained)
        for name, p in trained.named_parameters():  # the gather: every rank's shard put back together
            p.data = full[name]
        torch.save(trained.state_dict(), path)
        state_dict = torch.load(path, map_location="cpu", weights_only=True)
        assert all(t.numel() > 0 for t in state_dict.values())
        _model().load_state_dict(state_dict)

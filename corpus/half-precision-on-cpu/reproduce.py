"""Build a tiny model in float16 on the CPU and initialise its new head orthogonally.

Recent PyTorch runs float16 matmul and layer norm on the CPU, but ``orthogonal_`` needs a QR
decomposition, which still has no float16 CPU kernel: ``"geqrf_cpu" not implemented for 'Half'``.
The fix computes in float32 on the CPU (half precision belongs on a GPU, and only for ops that have a
half kernel there: QR has none on CUDA either, ``"geqrf_cuda" not implemented for 'Half'``, seen on an
H200 with torch 2.11).
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _model(dtype):
    import torch
    from transformers import Qwen2Config, Qwen2Model

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    backbone = Qwen2Model(config).to(dtype)
    head = torch.nn.Linear(16, 4, dtype=dtype)
    return backbone, head


def reproduce():
    import torch

    backbone, head = _model(torch.float16)  # the demo's unconditional .half(), no GPU in sight
    torch.nn.init.orthogonal_(head.weight)


def fixed():
    import torch

    backbone, head = _model(torch.float32)  # fix 0: float32 while the model runs on the CPU
    torch.nn.init.orthogonal_(head.weight)
    hidden = backbone(input_ids=torch.tensor([[1, 2, 3]])).last_hidden_state
    assert head(hidden).dtype == torch.float32

"""DeepSeek's remote-code MoE block (deepseek-moe-16b, DeepSeek-V2 / Coder-V2 Lite modeling_deepseek.py), training branch.

The gate scores in float32 (``F.linear(hidden_states.type(torch.float32), self.weight.type(torch.float32))``), so the
block's output, weighted by those scores, is float32. Under bf16/fp16 autocast (``--bf16`` / ``--fp16`` in the Trainer)
the next layer's block builds ``y = torch.empty_like(hidden_states)`` in float32 while its experts' Linear layers return
bfloat16, and ``y[flat_topk_idx == i] = expert(...)`` fails: ``Index put requires the source and destination dtypes match,
got Float for the destination and BFloat16 for the source.`` Casting the expert output to ``y.dtype`` (fix 0, the edit
users made in modeling_deepseek.py) makes it run.
"""

REQUIRES = ("torch",)
FIXES = (0,)


def _model(cast_expert_output):
    import torch
    import torch.nn.functional as F
    from torch import nn

    class MoEGate(nn.Module):   # modeling_deepseek.py MoEGate.forward, softmax scoring
        def __init__(self, dim, experts, top_k):
            super().__init__()
            self.top_k = top_k
            self.weight = nn.Parameter(torch.randn(experts, dim))

        def forward(self, hidden_states):
            logits = F.linear(hidden_states.type(torch.float32), self.weight.type(torch.float32), None)
            scores = logits.softmax(dim=-1, dtype=torch.float32)
            topk_weight, topk_idx = torch.topk(scores, k=self.top_k, dim=-1, sorted=False)
            return topk_idx, topk_weight

    class DeepseekMoE(nn.Module):   # modeling_deepseek.py DeepseekMoE.forward, `if self.training:` branch
        def __init__(self, dim, experts=4, top_k=2):
            super().__init__()
            self.top_k = top_k
            self.experts = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(experts))
            self.gate = MoEGate(dim, experts, top_k)

        def forward(self, hidden_states):
            topk_idx, topk_weight = self.gate(hidden_states)
            flat_topk_idx = topk_idx.view(-1)
            hidden_states = hidden_states.repeat_interleave(self.top_k, dim=0)
            y = torch.empty_like(hidden_states)
            for i, expert in enumerate(self.experts):
                out = expert(hidden_states[flat_topk_idx == i])
                y[flat_topk_idx == i] = out.to(y.dtype) if cast_expert_output else out
            return (y.view(*topk_weight.shape, -1) * topk_weight.unsqueeze(-1)).sum(dim=1)

    torch.manual_seed(0)
    return nn.Sequential(DeepseekMoE(8), DeepseekMoE(8)).to(torch.bfloat16).train()


def _step(model):
    import torch

    tokens = torch.randn(6, 8, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):   # the Trainer's --bf16
        out = model(tokens)
    out.float().sum().backward()
    return out


def reproduce():
    _step(_model(cast_expert_output=False))


def fixed():
    # fix 0: y[flat_topk_idx == i] = expert(hidden_states[flat_topk_idx == i]).to(y.dtype)
    _step(_model(cast_expert_output=True))

"""A tiny BertModel (built from a config, no download) traced with torch.jit.trace: its forward returns a
BaseModelOutputWithPoolingAndCrossAttentions, a dict, so the tracer raises "RuntimeError: Encountering a dict
at the output of the tracer might cause the trace to be incorrect ...". fixed() traces a wrapper whose forward
returns only last_hidden_state (fix 1) and checks the traced module against the eager model on a second input.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _model():
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    return BertModel(config).eval()


def reproduce():
    import torch

    model = _model()
    ids = torch.randint(0, 64, (1, 6))
    torch.jit.trace(model, (ids,))


def fixed():
    import torch

    model = _model()

    class Traceable(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids):
            return self.inner(input_ids=input_ids).last_hidden_state

    ids = torch.randint(0, 64, (1, 6))
    traced = torch.jit.trace(Traceable(model), (ids,))
    other = torch.randint(0, 64, (1, 6))
    with torch.no_grad():
        assert torch.allclose(traced(other), model(input_ids=other).last_hidden_state, atol=1e-5)

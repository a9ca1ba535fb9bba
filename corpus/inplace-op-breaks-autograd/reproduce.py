"""A classification head on a tiny Llama adds a residual in place onto a tanh output that autograd
saved for backward; the out-of-place sum leaves the saved tensor alone."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _step(inplace):
    import torch
    from transformers import LlamaConfig, LlamaModel

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    torch.manual_seed(0)
    backbone = LlamaModel(config)
    head = torch.nn.Linear(16, 3)
    ids = torch.randint(0, 64, (2, 8))
    labels = torch.tensor([0, 2])

    hidden = backbone(input_ids=ids).last_hidden_state
    feats = torch.tanh(hidden)          # tanh keeps its output for the backward pass
    if inplace:
        feats += 0.1 * hidden           # bumps feats' version: the saved output is now stale
    else:
        feats = feats + 0.1 * hidden    # a new tensor; the saved one stays as it was
    loss = torch.nn.functional.cross_entropy(head(feats[:, -1]), labels)
    loss.backward()
    return float(loss.detach())


def reproduce():
    _step(inplace=True)


def fixed():
    _step(inplace=False)

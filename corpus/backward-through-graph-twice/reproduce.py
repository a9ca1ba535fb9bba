"""A tiny Llama trained with a 'memory' carried from the previous step: the memory still holds the
previous step's graph, which the first backward freed."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _train(detach_memory):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    ids = torch.randint(0, 64, (2, 8))
    memory = None
    for _ in range(3):
        out = model(input_ids=ids, labels=ids, output_hidden_states=True)
        loss = out.loss
        if memory is not None:
            loss = loss + 0.1 * memory.pow(2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        memory = out.hidden_states[-1].mean(dim=1)
        if detach_memory:
            memory = memory.detach()  # carry the value, not the graph
    return float(loss.detach())


def reproduce():
    _train(detach_memory=False)


def fixed():
    _train(detach_memory=True)

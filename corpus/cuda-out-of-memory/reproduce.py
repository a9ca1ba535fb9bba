"""Train a small causal LM with a batch whose logits do not fit on the GPU, then the same tokens split
into micro-batches with gradient accumulation.

The model is tiny; the batch is not: 512 sequences of 4096 tokens over a 32,000-token vocabulary ask
for about 250 GiB of float32 logits, more than any single GPU holds, so the caching allocator raises
``torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ...`` in the forward pass. Needs a CUDA
GPU (``scripts/verify_gpu.py``); the CPU has no such limit to hit.
"""

REQUIRES = ("torch", "transformers")
DEVICES = ("cuda",)
FIXES = (0,)

SEQUENCES, LENGTH, VOCAB = 512, 4096, 32000


def _model():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=LENGTH)
    torch.manual_seed(0)
    return LlamaForCausalLM(config).to("cuda")


def _step(model, batch_size, accumulation):
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    ids = torch.randint(0, VOCAB, (batch_size * accumulation, LENGTH), device="cuda")
    for micro in ids.split(batch_size):
        loss = model(input_ids=micro, labels=micro).loss / accumulation
        loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return float(loss.detach())


def reproduce():
    _step(_model(), batch_size=SEQUENCES, accumulation=1)


def fixed():
    import torch

    torch.cuda.empty_cache()
    model = _model()
    # fix 0: per_device_train_batch_size 2 and gradient_accumulation_steps 4 keep an effective batch of 8
    # (the full 512 would take 256 micro-batches: the memory per step is what the fix changes)
    _step(model, batch_size=2, accumulation=4)
    peak = torch.cuda.max_memory_allocated() / 2**30
    total = torch.cuda.get_device_properties(0).total_memory / 2**30
    assert peak < total, (peak, total)
    return f"peak memory {peak:.1f} GiB of {total:.1f} GiB\n"

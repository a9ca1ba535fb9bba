"""Pass labels to a headless transformers model, then to the head class built from a tiny config.

transformers 5 text base models (LlamaModel, BertModel) take **kwargs and drop `labels` silently;
the DAC codec base model still has a closed forward(), so it raises the TypeError that LlamaModel
(transformers <= 4.46) and BertModel / BartModel (<= 4.57) raise on the releases most reports use.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _step(model, batch):
    out = model(**batch)
    out.loss.backward()
    return out.loss


def reproduce():
    import torch
    from transformers import DacConfig, DacModel

    config = DacConfig(encoder_hidden_size=4, downsampling_ratios=[2, 2], decoder_hidden_size=8,
                       upsampling_ratios=[2, 2], hidden_size=8, n_codebooks=2, codebook_size=16,
                       codebook_dim=4, hop_length=4)
    model = DacModel(config)  # a bare *Model: no task head, no labels argument
    _step(model, {"input_values": torch.randn(2, 1, 32), "labels": torch.zeros(2, dtype=torch.long)})


def fixed():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    model = LlamaForCausalLM(config)  # AutoModelForCausalLM: the head computes the loss from labels
    ids = torch.randint(0, 64, (2, 8))
    loss = _step(model, {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids})
    assert torch.isfinite(loss)

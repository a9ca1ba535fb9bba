"""Call a tiny transformers LlamaAttention the pre-4.43 way (no position_embeddings), then with the rotary cos/sin."""

REQUIRES = ("torch", "transformers")
FIXES = (1,)


def _parts():
    import torch
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaAttention, LlamaRotaryEmbedding

    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=4, num_key_value_heads=4)
    hidden_states = torch.randn(1, 5, config.hidden_size)
    position_ids = torch.arange(5)[None]
    return LlamaAttention(config, layer_idx=0), LlamaRotaryEmbedding(config), hidden_states, position_ids


def reproduce():
    attention, _, hidden_states, position_ids = _parts()
    # the old call: positions only, the layer was expected to compute cos/sin itself
    attention(hidden_states=hidden_states, attention_mask=None, position_ids=position_ids)


def fixed():
    attention, rotary, hidden_states, position_ids = _parts()
    position_embeddings = rotary(hidden_states, position_ids)
    attention(hidden_states=hidden_states, position_embeddings=position_embeddings, attention_mask=None)

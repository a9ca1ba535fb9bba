"""A legacy attention patch (written for the tuple KV cache of transformers < 4.36) indexes the Cache object that
generate() now passes: `past_key_value[0].shape[-2]` on a tiny Llama model."""

REQUIRES = ("torch", "transformers")
FIXES = (1,)


def _tiny_model():
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    return LlamaForCausalLM(config).eval()


def _generate(ported):
    import torch
    from transformers.cache_utils import Cache
    from transformers.models.llama import modeling_llama

    original = modeling_llama.LlamaAttention.forward

    def patched_forward(self, hidden_states, *args, **kwargs):
        # what xformers / flash-attention / KV-compression patches of the 4.3x era do before attending
        # the cache argument is `past_key_value` (4.36-4.55), `past_key_values` (4.56+) or `cache` (5.x)
        past_key_value = next((kwargs[name] for name in ("cache", "past_key_values", "past_key_value")
                               if kwargs.get(name) is not None), None)
        kv_seq_len = hidden_states.shape[-2]
        if past_key_value is not None:
            if ported and isinstance(past_key_value, Cache):
                kv_seq_len += past_key_value.get_seq_length(self.layer_idx)
            else:
                kv_seq_len += past_key_value[0].shape[-2]
        return original(self, hidden_states, *args, **kwargs)

    modeling_llama.LlamaAttention.forward = patched_forward
    try:
        model = _tiny_model()
        input_ids = torch.tensor([[1, 2, 3, 4]])
        with torch.no_grad():
            return model.generate(input_ids, max_new_tokens=2, do_sample=False, pad_token_id=0)
    finally:
        modeling_llama.LlamaAttention.forward = original


def reproduce():
    _generate(ported=False)


def fixed():
    output = _generate(ported=True)
    assert output.shape[-1] == 6

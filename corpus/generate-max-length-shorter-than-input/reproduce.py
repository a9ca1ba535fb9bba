"""generate() a tiny Llama on a 25-token prompt with max_length=20, then with max_new_tokens.

transformers 4.38-4.46 raise this with the default max_length of 20 too; since 4.47 an unset
max_length means 20 new tokens, so the error needs a max_length set by the caller or the model's
generation_config.json (here: passed explicitly)."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _model_and_prompt():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, pad_token_id=0, bos_token_id=1,
                         eos_token_id=2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    prompt = torch.randint(3, 64, (1, 25))
    return model, prompt


def reproduce():
    model, prompt = _model_and_prompt()
    model.generate(prompt, attention_mask=prompt.new_ones(prompt.shape), do_sample=False, max_length=20)


def fixed():
    model, prompt = _model_and_prompt()
    out = model.generate(prompt, attention_mask=prompt.new_ones(prompt.shape), do_sample=False, max_new_tokens=5)
    assert out.shape[1] > prompt.shape[1]

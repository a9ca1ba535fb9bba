"""Save a prefix-tuning adapter of 8 virtual tokens on a tiny GPT-2, then load its weights into a PEFT model built
with PrefixTuningConfig(num_virtual_tokens=16), as a script that makes its own config does; the fix loads the
adapter with PeftModel.from_pretrained, which reads num_virtual_tokens from adapter_config.json."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (1,)


def _base():
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(n_layer=2, n_head=2, n_embd=16, vocab_size=64, n_positions=64, bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config)


def _save_adapter(folder):
    from peft import PrefixTuningConfig, get_peft_model

    model = get_peft_model(_base(), PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=8))
    model.save_pretrained(folder)


def reproduce():
    import tempfile

    from peft import PrefixTuningConfig, get_peft_model, set_peft_model_state_dict
    from peft.utils import load_peft_weights

    with tempfile.TemporaryDirectory() as folder:
        _save_adapter(folder)
        model = get_peft_model(_base(), PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=16))
        set_peft_model_state_dict(model, load_peft_weights(folder))  # RuntimeError: size mismatch ... [8, 64] vs [16, 64]


def fixed():
    import tempfile

    import torch
    from peft import PeftModel

    with tempfile.TemporaryDirectory() as folder:
        _save_adapter(folder)
        model = PeftModel.from_pretrained(_base(), folder)
        assert model.peft_config["default"].num_virtual_tokens == 8
        ids = torch.tensor([[1, 2, 3]])
        assert model(input_ids=ids).logits.shape == (1, 3, 64)

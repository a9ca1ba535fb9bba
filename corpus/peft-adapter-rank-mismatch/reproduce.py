"""Train-save a rank-4 LoRA on a tiny Llama, then load its weights into a LoRA built with r=8, as a script that
makes its own LoraConfig does; the fix loads the adapter with PeftModel.from_pretrained, which reads r from
adapter_config.json."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _base():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32)
    return LlamaForCausalLM(config)


def _save_adapter(folder):
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(_base(), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    model.save_pretrained(folder)


def reproduce():
    import tempfile

    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from peft.utils import load_peft_weights

    with tempfile.TemporaryDirectory() as folder:
        _save_adapter(folder)
        model = get_peft_model(_base(), LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"]))
        set_peft_model_state_dict(model, load_peft_weights(folder))  # RuntimeError: size mismatch ... lora_A


def fixed():
    import tempfile

    import torch
    from peft import PeftModel

    with tempfile.TemporaryDirectory() as folder:
        _save_adapter(folder)
        model = PeftModel.from_pretrained(_base(), folder, is_trainable=True)
        assert model.peft_config["default"].r == 4
        ids = torch.tensor([[1, 2, 3]])
        assert model(input_ids=ids).logits.shape == (1, 3, 64)

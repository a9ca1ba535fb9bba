"""Build a tiny LlamaForCausalLM from a config (no download), give it a LoRA adapter with get_peft_model without
keeping the returned PeftModel (the LoRA layers are injected into the plain model in place), and call
merge_and_unload() on the plain model, as a merge/export script does: torch's Module.__getattr__ raises
"AttributeError: 'LlamaForCausalLM' object has no attribute 'merge_and_unload'".

fixed() (fix 0) keeps the PeftModel that get_peft_model returns, merges on it, saves the adapter, then attaches it
again with PeftModel.from_pretrained and merges that one too: both return the plain LlamaForCausalLM with no lora_
weights left and the adapter's outputs.
"""

from kbfix.reproduce import tiny_llama

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _base():
    return tiny_llama(layers=2, kv_heads=1)


def _lora_config():
    from peft import LoraConfig

    # init_lora_weights=False: non-zero B, so merging visibly changes the weights
    return LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)


def reproduce():
    from peft import get_peft_model

    model = _base()
    get_peft_model(model, _lora_config())     # return value dropped: `model` is still the plain LlamaForCausalLM
    return model.merge_and_unload()           # AttributeError from torch.nn.Module.__getattr__


def fixed():
    import tempfile

    import torch
    from peft import PeftModel, get_peft_model

    ids = torch.tensor([[1, 2, 3, 4]])
    peft_model = get_peft_model(_base(), _lora_config())     # fix 0: keep the PeftModel
    with torch.no_grad():
        expected = peft_model(input_ids=ids).logits
    with tempfile.TemporaryDirectory() as adapter_dir:
        peft_model.save_pretrained(adapter_dir)
        merged = peft_model.merge_and_unload()
        assert type(merged).__name__ == "LlamaForCausalLM"
        assert not any("lora_" in k for k in merged.state_dict())
        with torch.no_grad():
            assert torch.allclose(merged(input_ids=ids).logits, expected, atol=1e-5)

        # the export path: a fresh base with the saved adapter attached through PEFT
        reloaded = PeftModel.from_pretrained(_base(), adapter_dir).merge_and_unload()
        with torch.no_grad():
            assert torch.allclose(reloaded(input_ids=ids).logits, expected, atol=1e-5)
    return "merged: " + type(reloaded).__name__

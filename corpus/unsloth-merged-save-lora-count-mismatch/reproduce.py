"""A tiny LLaVA (CLIP vision tower + Llama language model) saved with transformers 4.52, reloaded and given LoRA on
the generic ``q_proj`` / ``v_proj`` names (so on the vision tower too), is saved merged with the real
``unsloth_zoo.saving_utils.merge_and_overwrite_lora`` that ``save_pretrained_merged(save_method="merged_16bit")``
calls. transformers 4.52 renamed the VLM modules (``model.language_model.layers...``) but still writes the
checkpoint under the old names (``language_model.model.layers...``): unsloth_zoo 2025.5 streams the local base
shards, finds no tensor for any LoRA module and raises its real ``RuntimeError: Unsloth: Saving LoRA finetune
failed since # of LoRAs = 4 does not match # of saved modules = 0``, the count Gemma 3n users saw.
fixed() applies fix 1: the adapter is saved and merged with PEFT into the 16-bit base (``merge_and_unload``); the
merged model loads on its own and gives the adapter model's logits.

Nothing is downloaded; it runs on the CPU (no tensor matches, so the GPU merge kernel is never reached). Unsloth
refuses to import without a GPU: only unsloth_zoo is imported, with ``UNSLOTH_IS_PRESENT`` set as ``import unsloth``
sets it (unsloth_zoo up to 2025.5.8 checks only that; later releases probe the GPU at import). It runs in an overlay
of the releases it was verified with (unsloth_zoo 2025.5.8, transformers 4.52.4, peft 0.15.2); elsewhere the test
skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# unsloth is installed only so that unsloth_zoo's find_spec("unsloth") passes: it is never imported
OVERLAY = ("unsloth_zoo==2025.5.8", "unsloth==2025.5.7", "transformers==4.52.4", "tokenizers==0.21.1",
           "huggingface_hub==0.32.4", "peft==0.15.2", "bitsandbytes==0.46.0", "kernels==0.7.0")
# the count check exists since unsloth_zoo 2024.12 and the local-folder merge since 2025.5; 2025.5.9 onwards
# probe the GPU when imported. transformers 4.52 brought the VLM module renaming.
REQUIRES = ("torch", "transformers", "peft", "safetensors", "psutil", "bitsandbytes", "unsloth_zoo") + (
    () if release_within("unsloth_zoo", (2025, 5), (2025, 5, 9)) and release_within("transformers", (4, 52), (4, 53))
    else ("kbfix_requires_unsloth_zoo_2025_5_up_to_2025_5_8_with_transformers_4_52",))
FIXES = (1,)


def _base_model(folder):
    """A tiny LLaVA in bfloat16, saved to ``folder`` and loaded back from it (config._name_or_path is the folder)."""
    import torch
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    text = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                       num_attention_heads=2, num_key_value_heads=2)
    vision = CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                              image_size=8, patch_size=4, projection_dim=16)
    torch.manual_seed(0)
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_index=63, torch_dtype="bfloat16")
    LlavaForConditionalGeneration(config).to(torch.bfloat16).save_pretrained(folder)
    return LlavaForConditionalGeneration.from_pretrained(folder, torch_dtype=torch.bfloat16)


def _trained_lora(root):
    """The base folder and a LoRA model on it whose adapter weights are not zero (as after training)."""
    from peft import LoraConfig, get_peft_model

    base = os.path.join(root, "base")
    lora = LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM",
                      init_lora_weights=False)
    return base, get_peft_model(_base_model(base), lora)


def reproduce():
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["UNSLOTH_IS_PRESENT"] = "1"   # what `import unsloth` sets before it imports unsloth_zoo
    from unsloth_zoo.saving_utils import merge_and_overwrite_lora

    with tempfile.TemporaryDirectory() as root:
        _, model = _trained_lora(root)
        # unsloth/save.py passes its own get_model_name; for a local base it returns the path unchanged
        merge_and_overwrite_lora(lambda name, load_in_4bit=False: name, model,
                                 save_directory=os.path.join(root, "merged"), save_method="merged_16bit")


def fixed():
    import torch
    from peft import PeftModel
    from transformers import LlavaForConditionalGeneration

    with tempfile.TemporaryDirectory() as root:
        base, model = _trained_lora(root)
        ids = torch.tensor([[1, 2, 3, 4]])
        with torch.no_grad():
            expected = model(input_ids=ids).logits
        # fix 1: save the adapter only and merge it with PEFT into the 16-bit base model
        adapter, merged_dir = os.path.join(root, "lora_adapter"), os.path.join(root, "merged")
        model.save_pretrained(adapter)
        fresh = LlavaForConditionalGeneration.from_pretrained(base, torch_dtype=torch.bfloat16)
        PeftModel.from_pretrained(fresh, adapter).merge_and_unload().save_pretrained(merged_dir)
        merged = LlavaForConditionalGeneration.from_pretrained(merged_dir, torch_dtype=torch.bfloat16)
        with torch.no_grad():
            got = merged(input_ids=ids).logits
        plain = LlavaForConditionalGeneration.from_pretrained(base, torch_dtype=torch.bfloat16)
        with torch.no_grad():
            untouched = plain(input_ids=ids).logits
        assert torch.allclose(got.float(), expected.float(), atol=2e-2), (got - expected).abs().max()
        assert not torch.allclose(got.float(), untouched.float(), atol=1e-3), "the merge changed nothing"
    return "merged with PEFT merge_and_unload: the saved model gives the adapter model's logits\n"

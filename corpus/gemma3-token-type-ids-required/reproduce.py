"""Train-mode forward of a tiny Gemma3ForConditionalGeneration without token_type_ids, then with them.

Only transformers 5.0 to 5.5 check for the field; with any other release the test is skipped.
"""

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a transformers release that checks (5.0-5.5)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('transformers==5.5.4', 'tokenizers==0.22.1', 'huggingface_hub==1.5.0')
REQUIRES = ("torch", "transformers") + (
    () if release_within("transformers", (5, 0), (5, 6)) else ("kbfix_requires_transformers_5_0_to_5_5",))
FIXES = (0,)


def _tiny_model():
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    config = Gemma3Config(
        text_config=dict(vocab_size=128, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                         max_position_embeddings=64, sliding_window=8),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=28, patch_size=14),
        mm_tokens_per_image=4, boi_token_index=125, eoi_token_index=126, image_token_index=127,
    )
    model = Gemma3ForConditionalGeneration(config)
    model.train()  # what Trainer / SFTTrainer do before the first step
    return model


def _text_batch():
    import torch

    input_ids = torch.randint(0, 100, (2, 12))
    # what a text-only collator (DataCollatorForLanguageModeling) hands over: no token_type_ids
    return {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids), "labels": input_ids.clone()}


def reproduce():
    model = _tiny_model()
    model(**_text_batch())


def fixed():
    import torch

    model = _tiny_model()
    batch = _text_batch()
    # fix 0: derive token_type_ids from the image token id (all zeros for text-only rows)
    batch["token_type_ids"] = (batch["input_ids"] == model.config.image_token_id).long()
    loss = model(**batch).loss
    assert torch.isfinite(loss), loss
    loss.backward()

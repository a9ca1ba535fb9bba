"""transformers 4.51 Qwen2.5-VL generating from a checkpoint whose saved generation_config.json has ``use_cache``
unset (``null``, as some GRPO / R1-style training scripts save it): generate() keeps a cache but, reading the flag as
off, feeds the whole sequence again at every step, so the keys (cached + full sequence) outgrow the causal mask:
``RuntimeError: The size of tensor a (15) must match the size of tensor b (8) at non-singleton dimension 3`` (on a GPU
with SDPA: ``The expanded size of the tensor (2q-1) must match the existing size (q) at non-singleton dimension 3``).

A tiny Qwen2.5-VL (two text layers, one vision block) is built from a config, its generation config gets
``use_cache = None`` and it generates three tokens from text only. fixed() applies fix 0: ``use_cache=True`` passed
to generate(). Verified with transformers 4.51.3 (the error; OVERLAY, the same pins as LLaMA-Factory's overlay so
the folder is shared) and 5.25.0 (no error either way); elsewhere the test skips it.
"""

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, release_within

OVERLAY = LLAMAFACTORY_OVERLAY
REQUIRES = ("torch", "transformers") + (
    () if release_within("transformers", (4, 51), (4, 52)) else ("kbfix_requires_transformers_4_51",))
FIXES = (0,)


def _generate(**kwargs):
    import torch
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    config = Qwen2_5_VLConfig(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=256, rope_scaling={"type": "mrope", "mrope_section": [1, 1, 2]},
        vision_config={"depth": 1, "hidden_size": 16, "intermediate_size": 32, "num_heads": 2, "out_hidden_size": 32,
                       "fullatt_block_indexes": [0]},
        image_token_id=120, video_token_id=121, vision_start_token_id=122, bos_token_id=0, eos_token_id=1,
        pad_token_id=2)
    torch.manual_seed(0)
    model = Qwen2_5_VLForConditionalGeneration(config).eval()
    model.generation_config.use_cache = None  # what the training script saved: "use_cache": null
    input_ids = torch.randint(3, 100, (1, 7))
    return model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=3,
                          do_sample=False, **kwargs)


def reproduce():
    _generate()


def fixed():
    out = _generate(use_cache=True)
    assert out.shape == (1, 10)

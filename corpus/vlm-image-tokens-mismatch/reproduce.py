"""A tiny Qwen2-VL sample whose image placeholder tokens were cut by a too-small cutoff_len."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

IMAGE, VSTART, VEND = 120, 122, 123


def _model():
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

    config = Qwen2VLConfig(
        text_config=dict(vocab_size=128, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, bos_token_id=1, eos_token_id=2,
                         rope_scaling={"type": "mrope", "mrope_section": [1, 1, 2]}),
        vision_config=dict(depth=1, embed_dim=16, hidden_size=16, num_heads=2, patch_size=2,
                           spatial_merge_size=2, temporal_patch_size=2, in_channels=3, mlp_ratio=2),
        image_token_id=IMAGE, video_token_id=121, vision_start_token_id=VSTART, vision_end_token_id=VEND)
    return Qwen2VLForConditionalGeneration(config).eval()


def _sample(cutoff_len):
    """What the data pipeline hands the model: 1 image of 4x4 patches -> 4 placeholder tokens."""
    import torch

    grid = torch.tensor([[1, 4, 4]])                      # t, h, w in patches
    n_tokens = int(grid.prod()) // 4                      # spatial_merge_size ** 2
    prompt = [1, 2, VSTART] + [IMAGE] * n_tokens + [VEND, 5, 6]
    answer = [7, 8, 9]
    ids = torch.tensor([(prompt + answer)[:cutoff_len]])  # naive truncation to cutoff_len
    pixel_values = torch.randn(int(grid.prod()), 3 * 2 * 2 * 2)
    return dict(input_ids=ids, attention_mask=torch.ones_like(ids), labels=ids.clone(),
                mm_token_type_ids=(ids == IMAGE).long(), pixel_values=pixel_values, image_grid_thw=grid)


def reproduce():
    import torch

    with torch.no_grad():
        _model()(**_sample(cutoff_len=5))  # keeps only 2 of the 4 image tokens


def fixed():
    import torch

    with torch.no_grad():
        out = _model()(**_sample(cutoff_len=32))  # cutoff_len larger than prompt + image tokens
    assert torch.isfinite(out.loss)

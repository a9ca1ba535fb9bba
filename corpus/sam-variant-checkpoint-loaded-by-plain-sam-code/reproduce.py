"""An HQ-SAM checkpoint (transformers' SamHQModel weights) loaded into plain SAM (SamModel): torch lists the HQ
decoder's extra modules as unexpected keys. Tiny configs, random weights, CPU."""

REQUIRES = ("torch", "transformers")
FIXES = (1,)

_VISION = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64, output_channels=16,
               image_size=64, patch_size=16, global_attn_indexes=[1], window_size=2)


def _hq_checkpoint():
    from transformers import SamHQConfig, SamHQModel

    return SamHQModel(SamHQConfig(vision_config=_VISION)).state_dict()


def reproduce():
    from transformers import SamConfig, SamModel

    SamModel(SamConfig(vision_config=_VISION)).load_state_dict(_hq_checkpoint())


def fixed():
    from transformers import SamHQConfig, SamHQModel

    # fix 1: HQ-SAM's own class takes every key of its checkpoint
    result = SamHQModel(SamHQConfig(vision_config=_VISION)).load_state_dict(_hq_checkpoint())
    assert not result.missing_keys and not result.unexpected_keys, result

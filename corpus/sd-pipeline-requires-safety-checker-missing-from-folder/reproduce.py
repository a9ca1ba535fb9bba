"""A pipeline class that lists `safety_checker` and `feature_extractor` as required components loaded from a folder
saved without them (Stable Diffusion 2.x, a DreamBooth output, a checkpoint converted from a .ckpt).

A tiny folder is written from a config (no download): a UNet2DModel and a DDPMScheduler, and a model_index.json that
names only those two, as a folder saved without a safety checker has. The pipeline class is written like the
community and third-party pipelines of 2022 (and diffusers' own img2img pipeline before 0.12): `safety_checker` and
`feature_extractor` are __init__ arguments without defaults and not in `_optional_components`. reproduce() loads the
folder with it and diffusers raises "Pipeline <class ...> expected {...'safety_checker'...}, but only {'unet',
'scheduler'} were passed.". fixed() (fix 0) passes `safety_checker=None, feature_extractor=None` to from_pretrained,
and the pipeline loads.

diffusers (and Pillow, which it imports) are not in the test environment: they come as a PYTHONPATH overlay
(``scripts/verify.py --overlays`` installs OVERLAY); verified with diffusers 0.42.1 and torch 2.13 on CPU.
"""

OVERLAY = ("diffusers==0.42.1", "pillow==13.0.0")
REQUIRES = ("torch", "diffusers", "PIL")
FIXES = (0,)


def _pipeline_class():
    from diffusers import DiffusionPipeline

    class SafetyCheckedPipeline(DiffusionPipeline):
        # no `_optional_components`: every __init__ argument is required, as in community pipelines of 2022
        def __init__(self, unet, scheduler, safety_checker, feature_extractor):
            super().__init__()
            self.register_modules(unet=unet, scheduler=scheduler, safety_checker=safety_checker,
                                  feature_extractor=feature_extractor)

    return SafetyCheckedPipeline


def _folder():
    import json
    import os
    import tempfile

    from diffusers import DDPMScheduler, UNet2DModel

    folder = tempfile.mkdtemp(prefix="kbfix-sd-no-safety-checker-")
    unet = UNet2DModel(sample_size=8, in_channels=3, out_channels=3, layers_per_block=1, block_out_channels=(8, 16),
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       norm_num_groups=4)
    unet.save_pretrained(os.path.join(folder, "unet"))
    DDPMScheduler(num_train_timesteps=10).save_pretrained(os.path.join(folder, "scheduler"))
    with open(os.path.join(folder, "model_index.json"), "w") as f:     # saved without a safety checker
        json.dump({"_class_name": "SafetyCheckedPipeline", "_diffusers_version": "0.42.1",
                   "unet": ["diffusers", "UNet2DModel"], "scheduler": ["diffusers", "DDPMScheduler"]}, f)
    return folder


def reproduce():
    _pipeline_class().from_pretrained(_folder())


def fixed():
    pipe = _pipeline_class().from_pretrained(_folder(), safety_checker=None, feature_extractor=None)
    return f"loaded {type(pipe).__name__} with safety_checker={pipe.safety_checker}"

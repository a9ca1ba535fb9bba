"""A ViT-style model whose own ``__init__`` computes its drop-path rates from a tensor (the timm pattern copied by
InternViT, VideoMAEv2, BiRefNet), loaded with ``from_pretrained`` under transformers 5.

reproduce(): a tiny config and model class (the shape of a trust_remote_code modeling file) are saved and loaded
back; transformers 5 runs the constructor inside ``torch.device("meta")``, and the constructor's
``[x.item() for x in torch.arange(depth) * rate / (depth - 1)]`` raises torch's ``RuntimeError: Tensor.item() cannot
be called on meta tensors``. (transformers >= 5.6.0 patches ``torch.linspace`` to the CPU during that init, so the
reproducer builds the schedule with ``torch.arange``, which it does not patch, to fail on every 5.x release.)
fixed(): fix 0: the same constructor creates the tensor with ``device="cpu"``; the model loads and runs one forward.

Both run in a child process. transformers 4.x builds models on the CPU: REQUIRES skips the entry there.
"""

from kbfix.reproduce import failed, release_within, run_script, succeeded

REQUIRES = ("torch", "transformers") + (() if release_within("transformers", (5, 0)) else ("kbfix_requires_transformers_5",))
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile
import torch

# the model's own code, as a trust_remote_code repository ships it (modeling_*.py next to the weights)
MODELING = """
import torch
from transformers import PretrainedConfig, PreTrainedModel


class TinyVitConfig(PretrainedConfig):
    model_type = "tiny_vit_drop_path_demo"

    def __init__(self, hidden_size=8, depth=3, drop_path_rate=0.1, **kwargs):
        self.hidden_size = hidden_size
        self.depth = depth
        self.drop_path_rate = drop_path_rate
        super().__init__(**kwargs)


class TinyVitModel(PreTrainedModel):
    config_class = TinyVitConfig

    def __init__(self, config):
        super().__init__(config)
        steps = torch.arange(config.depth, DEVICE_ARG)  # stochastic depth decay rule
        self.dpr = [x.item() for x in steps * config.drop_path_rate / max(config.depth - 1, 1)]
        self.blocks = torch.nn.ModuleList(torch.nn.Linear(config.hidden_size, config.hidden_size)
                                          for _ in range(config.depth))
        self.post_init()

    def forward(self, x):
        for block in self.blocks:
            x = x + block(x)
        return x
"""

folder = tempfile.mkdtemp()
with open(os.path.join(folder, "modeling_tiny_vit.py"), "w") as f:
    f.write(MODELING)
sys.path.insert(0, folder)
from modeling_tiny_vit import TinyVitConfig, TinyVitModel

with torch.device("cpu"):
    TinyVitModel(TinyVitConfig()).save_pretrained(folder)
model = TinyVitModel.from_pretrained(folder)
out = model(torch.ones(1, 8))
print("model loaded, drop-path rates", [round(r, 3) for r in model.dpr], "output", tuple(out.shape))
'''


def reproduce():
    return failed(run_script(SCRIPT.replace("DEVICE_ARG", "device=None"), timeout=300))


def fixed():
    return succeeded(run_script(SCRIPT.replace("DEVICE_ARG", 'device="cpu"'), timeout=300), "model loaded")

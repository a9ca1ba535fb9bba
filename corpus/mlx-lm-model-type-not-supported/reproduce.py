"""An mlx-lm release older than the model: mlx-lm 0.24.0 (April 2025) has no ``mlx_lm/models/mistral3.py``, so loading
or converting a Mistral-Small-3.1 checkpoint (``"model_type": "mistral3"``) stops in ``mlx_lm.utils._get_classes``
with ``ERROR:root:Model type mistral3 not supported.`` and ``ValueError: Model type mistral3 not supported.`` (the
mlx-lm#136 report, same versions). reproduce() runs that real function of mlx-lm 0.24.0 (its release unpacked,
SOURCES, in front of the overlay) on the checkpoint's config, exactly as ``load`` / ``convert`` call it; fixed() is
fix 0, mlx-lm upgraded: the overlay's mlx-lm 0.32.2 resolves ``mistral3``, builds a tiny model from the same config and
runs it. mlx's Linux CPU backend (mlx-cpu) makes both run here; nothing downloads at run time.
"""

import os

from kbfix.reproduce import failed, run_script, source_folder, succeeded

REQUIRES = ("mlx", "mlx_lm")
OVERLAY = ("mlx==0.32.4", "mlx-cpu==0.32.4", "mlx-lm==0.32.2")
SOURCES = ("mlx-lm==0.24.0",)
FIXES = (0,)

SCRIPT = """
import mlx.core as mx
import mlx_lm
from mlx_lm.utils import _get_classes          # what mlx_lm.load / mlx_lm.convert call with config.json
config = {"model_type": "mistral3",
          "text_config": {"model_type": "mistral", "hidden_size": 64, "num_hidden_layers": 1,
                          "intermediate_size": 128, "num_attention_heads": 2, "num_key_value_heads": 2,
                          "rms_norm_eps": 1e-5, "vocab_size": 64}}
print("mlx_lm from", mlx_lm.__file__, flush=True)
Model, Args = _get_classes(config)
model = Model(Args.from_dict(config))
print("built", type(model).__module__, "logits", tuple(model(mx.array([[1, 2, 3]])).shape))
"""


def reproduce():
    old = str(source_folder(SOURCES[0]))
    path = os.pathsep.join(p for p in (old, os.environ.get("PYTHONPATH", "")) if p)
    return failed(run_script(SCRIPT, env={"PYTHONPATH": path}))


def fixed():
    return succeeded(run_script(SCRIPT), "built mlx_lm.models.mistral3", "logits (1, 3, 64)")

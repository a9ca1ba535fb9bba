"""An old mlx-lm (0.0.13, January 2024) quantizes with ``nn.QuantizedLinear.quantize_module``, which mlx
removed when ``nn.quantize`` replaced it: on a current mlx its real ``quantize_model`` (what ``python -m
mlx_lm.convert -q`` runs) raises "type object 'QuantizedLinear' has no attribute 'quantize_module'".
reproduce() runs that old mlx_lm (unpacked from its release, SOURCES) in front of the current mlx 0.32 on a
tiny Llama built from ModelArgs; fixed() is fix 0, mlx and mlx-lm upgraded together: the current mlx-lm's
quantize_model on the same tiny model on the same mlx quantizes it and the model still runs. mlx's Linux
CPU backend (mlx-cpu) makes both run here; nothing downloads at run time.
"""

import os

from kbfix.reproduce import failed, run_script, source_folder, succeeded

REQUIRES = ("mlx", "mlx_lm")
OVERLAY = ("mlx==0.32.4", "mlx-cpu==0.32.4", "mlx-lm==0.32.2")
SOURCES = ("mlx-lm==0.0.13",)
FIXES = (0,)

TINY = """
from mlx_lm.models import llama
args = llama.ModelArgs(model_type="llama", hidden_size=64, num_hidden_layers=1, intermediate_size=128,
                       num_attention_heads=2, rms_norm_eps=1e-5, vocab_size=64, num_key_value_heads=2)
model = llama.Model(args)
"""

OLD = TINY + """
from mlx_lm.convert import quantize_model   # mlx-lm 0.0.x: quantize_model(model, config, q_group_size, q_bits)
quantize_model(model, {}, 32, 4)
"""

NEW = TINY + """
import mlx.core as mx
from mlx_lm.utils import quantize_model
model, config = quantize_model(model, {}, 32, 4)
print("quantized", config["quantization"], type(model.layers[0].self_attn.q_proj).__name__)
print("logits", tuple(model(mx.array([[1, 2, 3]])).shape))
"""


def reproduce():
    old = str(source_folder(SOURCES[0]))
    path = os.pathsep.join(p for p in (old, os.environ.get("PYTHONPATH", "")) if p)
    return failed(run_script(OLD, env={"PYTHONPATH": path}))


def fixed():
    return succeeded(run_script(NEW), "quantized", "QuantizedLinear", "logits (1, 3, 64)")

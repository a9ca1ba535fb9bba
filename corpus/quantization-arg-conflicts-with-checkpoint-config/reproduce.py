"""vLLM reads the quantization method a pre-quantized checkpoint names in its config.json
(``quantization_config.quant_method``) and refuses a ``quantization`` argument that names another one. The check runs
in ``ModelConfig.__init__`` (``_verify_quantization``) before any weight or GPU is touched, so vLLM 0.3.3's real
``ModelConfig`` triggers it on the CPU for a tiny local OPT config.json whose ``quantization_config`` says ``gptq``
(nothing downloads; no weights are needed).

reproduce(): ``quantization="awq"`` and ``quantization="marlin"`` (a kernel name for another checkpoint format) raise
``ValueError: Quantization method specified in the model config (gptq) does not match ...``.
fixed(): fix 0, no ``quantization`` argument (vLLM takes ``gptq`` from the config), and fix 1, the checkpoint's own
method ``gptq``: both build the config.

The environment has no vLLM; the reproducer runs where vLLM 0.3.x is importable, e.g. as an overlay installed
without dependencies (how it was checked: ``pip install --no-deps --target /tmp/v033 vllm==0.3.3 sentencepiece``, then
``PYTHONPATH=/tmp/v033:$PWD``): vLLM 0.3.3's ``vllm/__init__`` imports its engine, whose tokenizer module imports
sentencepiece; ray is optional (a warning). Elsewhere REQUIRES names what is missing and the test skips it.
"""

from kbfix.reproduce import release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("vllm==0.3.3", "sentencepiece==0.2.3")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("torch", "transformers", "vllm", "sentencepiece") + (
    () if release_within("vllm", (0, 3), (0, 4)) else ("kbfix_requires_vllm_0_3",))
FIXES = (0, 1)

SCRIPT = r'''
import json, os, sys, tempfile, traceback
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
model = os.path.join(work, "opt-tiny-gptq")
os.makedirs(model)
# a GPTQ checkpoint's config.json (AutoGPTQ / optimum write quantization_config like this); no weights needed
with open(os.path.join(model, "config.json"), "w") as f:
    json.dump({"architectures": ["OPTForCausalLM"], "model_type": "opt", "hidden_size": 64, "ffn_dim": 128,
               "num_attention_heads": 4, "num_hidden_layers": 2, "vocab_size": 128, "max_position_embeddings": 256,
               "word_embed_proj_dim": 64, "dtype": "float16",
               "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False,
                                       "sym": True}}, f)
import vllm
from vllm.config import ModelConfig
print("vllm", vllm.__version__, flush=True)
failed = 0
for quantization in sys.argv[1:]:
    quantization = None if quantization == "none" else quantization
    try:
        config = ModelConfig(model, model, "auto", False, None, "auto", "auto", 0, quantization=quantization)
        print(f"quantization={quantization!r}: ModelConfig built, quantization = {config.quantization}", flush=True)
    except ValueError:
        failed += 1
        traceback.print_exc()
        sys.stderr.flush()
sys.exit(failed)
'''


def reproduce():
    code, output = run_script(SCRIPT, args=("awq", "marlin"), timeout=300)
    assert code == 2, output
    assert "does not match the quantization method specified in the `quantization` argument (awq)" in output, output
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("none", "gptq"), timeout=300),
                     "quantization=None: ModelConfig built, quantization = gptq",
                     "quantization='gptq': ModelConfig built, quantization = gptq")

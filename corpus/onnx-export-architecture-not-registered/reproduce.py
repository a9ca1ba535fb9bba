"""optimum's ONNX exporter looks the checkpoint's ``model_type`` up in its TasksManager registry before tracing
anything. A tiny Qwen3 causal LM (built from a config, saved locally: nothing downloads) exported with optimum
1.25.3, the last release before Qwen3 support was added (1.26.0, PR #2278), stops in ``onnx_export_from_model`` with
``ValueError: Trying to export a qwen3 model, that is a custom or unsupported architecture, but no custom onnx
configuration was passed as `custom_onnx_configs`.`` Fine-tuning keeps the base model's ``model_type``, so a
fine-tuned or merged Qwen3 checkpoint fails the same way.

fixed() applies fix 1, the documented custom export: the same ``main_export`` call given
``custom_onnx_configs={"model": <an OnnxConfig for the architecture>}`` (here optimum's own ``Qwen2OnnxConfig``,
which describes Qwen3's inputs, outputs and past key/values as well) exports ``model.onnx`` and passes optimum's
validation against the PyTorch outputs (onnxruntime). optimum 1.25.3 calls ``torch.onnx.export`` the way torch < 2.9
did, with the TorchScript exporter as default; the child script restores that default (``dynamo=False``) for the
environment's newer torch, which would otherwise need onnxscript. Both runs are fresh interpreters.

The environment has no optimum, so this needs the overlay below in front of it (scripts/verify.py --overlays installs
it without dependencies); elsewhere REQUIRES names a module that cannot exist and the test skips it.
"""

from kbfix.reproduce import release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("optimum==1.25.3", "transformers==4.51.3", "tokenizers==0.21.1", "huggingface_hub==0.30.2",
           "onnx==1.23.2", "onnxruntime==1.32.0")
# (this module is never installed: it stands for "optimum < 1.26 with a transformers that has Qwen3 (4.51)")
REQUIRES = ("torch", "transformers", "optimum", "onnx", "onnxruntime") + (
    () if release_within("optimum", (1, 13), (1, 26)) and release_within("transformers", (4, 51), (4, 52))
    else ("kbfix_requires_optimum_before_1_26_and_transformers_4_51",))
FIXES = (1,)

SCRIPT = r'''
import functools, os, sys, tempfile
import torch
# optimum 1.25 was written for torch < 2.9, whose torch.onnx.export defaulted to the TorchScript exporter
torch.onnx.export = functools.partial(torch.onnx.export, dynamo=False)
from transformers import Qwen3Config, Qwen3ForCausalLM
from optimum.exporters.onnx import main_export

config = Qwen3Config(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=64)
folder = tempfile.mkdtemp()
torch.manual_seed(0)
Qwen3ForCausalLM(config).save_pretrained(os.path.join(folder, "finetuned-qwen3"))
kwargs = {}
if sys.argv[1] == "custom":
    from optimum.exporters.onnx.model_configs import Qwen2OnnxConfig
    kwargs["custom_onnx_configs"] = {
        "model": Qwen2OnnxConfig(config, task="text-generation", use_past=True, use_past_in_inputs=True)}
main_export(os.path.join(folder, "finetuned-qwen3"), output=os.path.join(folder, "onnx"),
            task="text-generation-with-past", no_post_process=True, **kwargs)
print("exported:", sorted(os.listdir(os.path.join(folder, "onnx"))))
'''

ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def reproduce():
    code, output = run_script(SCRIPT, args=("plain",), env=ENV, timeout=400)
    assert code != 0 and "that is a custom or unsupported architecture" in output, output
    return output[output.index("Traceback"):] if "Traceback" in output else output


def fixed():
    return succeeded(run_script(SCRIPT, args=("custom",), env=ENV, timeout=400), "exported:", "model.onnx")

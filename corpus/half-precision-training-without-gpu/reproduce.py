"""A Trainer script written for a GPU (``TrainingArguments(fp16=True)``, as LLaMA-Factory examples, SimCSE and
text-generation-webui's training tab set it) run on a machine whose torch sees no CUDA device. transformers up to 4.41
refused in ``TrainingArguments.__post_init__``: "FP16 Mixed precision training with AMP or APEX (`--fp16`) and FP16
half precision evaluation (`--fp16_full_eval`) can only be used on CUDA or NPU devices or certain XPU devices (with
IPEX)." (4.41 lets the CPU through with torch >= 2.3; 4.42 dropped the check).

The environment's releases no longer raise it: transformers 5.x trains fp16=True on the CPU without a word (the CPU
device skips accelerate's fp16 check), and its bf16=True refusal on the CPU ("Your setup doesn't support bf16/gpu.
You need to assign use_cpu ...") is the bf16-unsupported entry. So this needs a transformers older than 4.39 (verified
with 4.38.2) and an accelerate older than 1.0 that its Trainer can still call (0.27.2), as a PYTHONPATH overlay;
elsewhere REQUIRES names a module that cannot exist and the test skips it.

Both functions run a fresh interpreter (run_script) with the environment's datasets and peft hidden: both import the
environment's huggingface_hub 1.x+ API, which the overlay's huggingface_hub 0.24 lacks, and the old Trainer imports
them only when they are there. reproduce(): TrainingArguments(fp16=True) on the CPU raises the real ValueError.
fixed(): fix 0, ``fp16=torch.cuda.is_available()`` (False here): the same Trainer trains two steps in fp32 on the CPU.
Nothing is downloaded: the model is a tiny Llama built from a config.
"""

from kbfix.reproduce import failed, release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.38.2", "tokenizers==0.15.2", "huggingface_hub==0.24.7", "accelerate==0.27.2")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_transformers_4_33_to_4_38_with_accelerate_before_1_0"
REQUIRES = ("torch", "transformers", "accelerate") + (
    () if release_within("transformers", (4, 33), (4, 39)) and release_within("accelerate", (0, 20), (1, 0))
    else (OLD,))
FIXES = (0,)
NO_GPU = {"CUDA_VISIBLE_DEVICES": ""}   # the cause: torch sees no CUDA device (also on a GPU machine)

SCRIPT = r'''
import os, sys, tempfile
os.environ["HF_HUB_OFFLINE"] = "1"
for hidden in ("datasets", "peft"):       # newer than the overlay's huggingface_hub: make them look absent
    sys.modules[hidden] = None
import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Trainer, TrainingArguments

print("transformers", transformers.__version__, "cuda available:", torch.cuda.is_available(), flush=True)
fp16 = True if sys.argv[1] == "broken" else torch.cuda.is_available()   # fix 0: fp16 only with a CUDA GPU
out = tempfile.mkdtemp()
args = TrainingArguments(output_dir=out, fp16=fp16, max_steps=2, per_device_train_batch_size=2, logging_steps=1,
                         save_strategy="no", report_to="none")
print("fp16:", args.fp16, "device:", args.device, flush=True)
torch.manual_seed(0)
model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32))
data = [{"input_ids": torch.tensor([1, 2, 3, 4]), "labels": torch.tensor([1, 2, 3, 4])}] * 4
result = Trainer(model=model, args=args, train_dataset=data).train()
print("trained", result.global_step, "steps, loss", round(result.training_loss, 3), flush=True)
'''


def reproduce():
    output = failed(run_script(SCRIPT, args=("broken",), env=NO_GPU))
    assert "can only be used on CUDA" in output, output
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("fixed",), env=NO_GPU),
                     "fp16: False device: cpu", "trained 2 steps")

"""Evaluation that keeps every batch's logits, in a process whose memory the kept logits outgrow. The child process
builds a tiny Llama with a 32,000-token vocabulary from its config (nothing is downloaded) and runs the real
``Trainer.evaluate()`` with a ``compute_metrics``, so the Trainer keeps each batch's [batch, 64, 32000] float32 logits
(16 MB per step, 524 MB for 64 rows) and concatenates them (``EvalLoopContainer.add`` -> ``nested_concat`` ->
``torch_pad_and_concatenate``). Right before evaluating, the process caps its own address space at what it uses plus
300 MiB (``resource.setrlimit(RLIMIT_AS, ...)``: the memory the GPU or the host has left): the concatenation gets
ENOMEM and torch's CPU allocator raises the real "DefaultCPUAllocator: can't allocate memory" from
``torch_pad_and_concatenate``, as a GPU run raises "CUDA out of memory" there. fixed() applies fix 0,
``preprocess_logits_for_metrics`` returning ``logits.argmax(-1)``: the Trainer keeps [batch, 64] token ids and the same
evaluation completes under the same limit.

Linux only (RLIMIT_AS on /proc/self/status's VmSize); elsewhere REQUIRES names a module that cannot exist.
"""

import sys

from kbfix.reproduce import CAP_ADDRESS_SPACE, failed, run_script, succeeded

LINUX = "a Linux host where RLIMIT_AS limits allocations"
REQUIRES = ("torch", "transformers", "accelerate", "resource") + (() if sys.platform.startswith("linux") else (LINUX,))
FIXES = (0,)

SCRIPT = CAP_ADDRESS_SPACE + r'''
import sys, tempfile
import torch
from torch.utils.data import Dataset
from transformers import LlamaConfig, LlamaForCausalLM, Trainer, TrainingArguments

torch.manual_seed(0)
VOCAB, SEQ, ROWS = 32000, 64, 64   # the kept logits: ROWS x SEQ x VOCAB float32 = 524 MB
config = LlamaConfig(vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                     num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=SEQ)
model = LlamaForCausalLM(config)

class Rows(Dataset):
    def __len__(self):
        return ROWS

    def __getitem__(self, i):
        ids = torch.randint(0, VOCAB, (SEQ,))
        return {"input_ids": ids, "labels": ids}

def compute_metrics(pred):
    return {"rows": float(len(pred.label_ids))}

def preprocess_logits_for_metrics(logits, labels):   # fix 0: keep token ids, not logits
    return logits.argmax(dim=-1)

args = TrainingArguments(output_dir=tempfile.mkdtemp(), per_device_eval_batch_size=2, report_to=[], use_cpu=True,
                         disable_tqdm=True)
trainer = Trainer(model=model, args=args, eval_dataset=Rows(), compute_metrics=compute_metrics,
                  preprocess_logits_for_metrics=preprocess_logits_for_metrics if sys.argv[1] == "fixed" else None)
# from here the process may grow by 300 MiB: less than the kept logits need
cap_address_space(300)
print("evaluated", trainer.evaluate())
'''


def reproduce():
    output = failed(run_script(SCRIPT, args=("broken",)))
    return output[output.index("Traceback"):] if "Traceback" in output else output


def fixed():
    return succeeded(run_script(SCRIPT, args=("fixed",)), "evaluated {'eval_loss'")

"""A fine-tuned model saved whole with ``torch.save(model, path)`` by a training script whose model class lives in
the script itself (``__main__``), then loaded by a separate inference script.

reproduce(): the training script (run as the main program) fine-tunes a small classifier head for one step on the CPU
and saves the module object; the inference script calls ``torch.load(path, weights_only=False)`` (needed from
torch 2.6 on for a pickled module) without defining the class: pickle looks up ``__main__.SentimentHead`` in the
inference script and raises ``AttributeError: Can't get attribute 'SentimentHead' on <module '__main__' from
'.../train.py'>``.
fixed(): fix 0: the inference script defines the same class under the same name before ``torch.load`` (what
importing it from the training code and exposing it in ``__main__`` does); the checkpoint loads and predicts.

Both scripts run as child processes (each must be its own ``__main__``).
"""

import os
import tempfile

from kbfix.reproduce import failed, run_script, succeeded

REQUIRES = ("torch",)
FIXES = (0,)

MODEL = r'''
import torch
from torch import nn

class SentimentHead(nn.Module):
    def __init__(self, hidden=16, labels=2):
        super().__init__()
        self.proj = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, labels)

    def forward(self, x):
        return self.out(torch.tanh(self.proj(x)))
'''

TRAIN = MODEL + r'''
import sys
torch.manual_seed(0)
model = SentimentHead()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
features, labels = torch.randn(8, 16), torch.tensor([0, 1] * 4)
loss = nn.functional.cross_entropy(model(features), labels)
loss.backward()
optimizer.step()
torch.save(model, sys.argv[1])              # the whole module object, pickled by its class path
print("saved fine-tuned model, loss", round(loss.item(), 4))
'''

INFER = r'''
import sys
import torch
model = torch.load(sys.argv[1], weights_only=False)
model.eval()
with torch.no_grad():
    print("prediction", model(torch.randn(2, 16)).argmax(-1).tolist())
'''


def _run(infer_script):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "finetuned.pt")
        succeeded(run_script(TRAIN, args=(path,), timeout=240), "saved fine-tuned model")
        return run_script(infer_script, args=(path,), timeout=240)


def reproduce():
    return failed(_run(INFER))


def fixed():
    return succeeded(_run(MODEL + INFER), "prediction")

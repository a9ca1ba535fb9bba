"""The encoder recipe (scripts/encoder_training.py) gives the same encoder for the same texts and seed.

A rebuild that changed weights without a corpus change moved borderline cases across the confidence line.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

SCRIPT = """
import hashlib, json, sys
sys.path.insert(0, {scripts!r})
from encoder_training import train_tokenizer_on, train_weights
texts = json.loads(sys.stdin.read())
tokenizer = train_tokenizer_on([t for group in texts.values() for t in group])
weights, _ = train_weights(tokenizer, texts, seed=3, epochs=2, dim=16)
print(json.dumps({{"vocab": sorted(tokenizer.get_vocab().items()),
                   "weights": hashlib.sha256(weights.tobytes()).hexdigest()}}))
"""


def texts() -> dict[str, list[str]]:
    """Error-like texts with many equal pair counts (the ties a hash-ordered trainer breaks at random)."""
    words = ["size", "mismatch", "for", "layer", "weight", "missing", "keys", "lora", "adapter", "zero3",
             "checkpoint", "dtype", "bfloat16", "unexpected", "argument", "module", "named", "peft"]
    return {f"e{i}": [" ".join(words[(i + j) % len(words)] + str(k) for k in range(6)) + f" shape{i}x{j}"
                      for j in range(3)] for i in range(12)}


def build() -> dict:
    # each build in its own process: a hash map's random state is per process
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(scripts=str(ROOT / "scripts"))],
                         input=json.dumps(texts()), capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_two_builds_from_the_same_texts_and_seed_give_the_same_vocabulary_and_weights():
    first, second = build(), build()
    assert len(first["vocab"]) > 100
    assert first["vocab"] == second["vocab"]
    assert first["weights"] == second["weights"]

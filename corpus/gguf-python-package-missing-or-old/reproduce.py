"""transformers loading a GGUF checkpoint without the ``gguf`` package: the transformers form of this entry.

transformers 5.x reads a GGUF file's metadata with its own reader, but converting its tensors (``load_gguf_checkpoint``,
called by ``AutoModelForCausalLM.from_pretrained(folder, gguf_file=...)`` and by ``AutoTokenizer.from_pretrained(folder,
gguf_file=...)``) needs ``gguf>=0.10.0`` and raises ``ImportError: Please install torch and gguf>=0.10.0 to load a GGUF
checkpoint in PyTorch.`` when it is missing (after logging "requires both PyTorch and GGUF>=0.10.0 to be installed").

The environment has no gguf, and writing the tiny GGUF file needs one, so this runs with gguf importable from a
PYTHONPATH overlay folder (how it was checked, with gguf 0.19.0 and transformers 5.25.0):

    pip install --no-deps --target /tmp/gguf019 "gguf==0.19.0"
    PYTHONPATH=/tmp/gguf019:$PWD python -m pytest tests/test_reproducers.py -k gguf-python-package-missing-or-old

Elsewhere (no gguf on the path, or one installed in the environment itself, so that dropping the overlay does not
take it away) the test skips it: REQUIRES then names what is missing. A first child script writes a tiny llama
GGUF file (one block, hidden size 16, an eight-token llama tokenizer) with gguf's ``GGUFWriter``. reproduce() loads
the model and the tokenizer from it in a fresh interpreter with the overlay folder taken off ``sys.path`` (gguf
missing) and returns what it printed. fixed() applies fix 1, installing gguf: the same loads with the overlay kept.
"""

import os
import sys

from kbfix.reproduce import run_script, succeeded


def _holds_gguf(folder):
    return os.path.isfile(os.path.join(folder, "gguf", "__init__.py"))


def _overlay():
    """The sys.path folder holding gguf, when no other folder on the path holds one too."""
    folders = [os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)]
    holding = [f for f in dict.fromkeys(folders) if _holds_gguf(f)]
    return holding[0] if len(holding) == 1 else None


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
GGUF = "the gguf package as a PYTHONPATH overlay folder and not installed in the environment, see the docstring"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("torch", "transformers", "numpy", "gguf") + (() if _overlay() else (GGUF,))
FIXES = (1,)

WRITE = r'''
import os, sys
import numpy as np
import gguf

hidden, ff, heads, vocab = 16, 32, 2, 8
w = gguf.GGUFWriter(os.path.join(sys.argv[1], "tiny.gguf"), "llama")
w.add_name("tiny")
w.add_context_length(64)
w.add_embedding_length(hidden)
w.add_block_count(1)
w.add_feed_forward_length(ff)
w.add_head_count(heads)
w.add_head_count_kv(heads)
w.add_rope_dimension_count(hidden // heads)
w.add_rope_freq_base(10000.0)
w.add_layer_norm_rms_eps(1e-5)
w.add_vocab_size(vocab)
w.add_tokenizer_model("llama")
w.add_token_list(["<unk>", "<s>", "</s>", "\u2581a", "\u2581b", "a", "b", "\u2581"])
w.add_token_scores([0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0, -5.0])
w.add_token_types([2, 3, 3, 1, 1, 1, 1, 1])
w.add_bos_token_id(1)
w.add_eos_token_id(2)
w.add_unk_token_id(0)
rng = np.random.default_rng(0)
shapes = {"token_embd": (vocab, hidden), "output_norm": (hidden,), "output": (vocab, hidden),
          "blk.0.attn_q": (hidden, hidden), "blk.0.attn_k": (hidden, hidden), "blk.0.attn_v": (hidden, hidden),
          "blk.0.attn_output": (hidden, hidden), "blk.0.ffn_gate": (ff, hidden), "blk.0.ffn_up": (ff, hidden),
          "blk.0.ffn_down": (hidden, ff), "blk.0.attn_norm": (hidden,), "blk.0.ffn_norm": (hidden,)}
for name, shape in shapes.items():
    w.add_tensor(name + ".weight", (rng.standard_normal(shape) * 0.02).astype(np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print("wrote tiny.gguf", flush=True)
'''

LOAD = r'''
import os, sys, traceback
folder = sys.argv[1]
os.environ.update(HF_HOME=os.path.join(folder, "hf"), HF_HUB_OFFLINE="1")
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

failed = 0
try:
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file="tiny.gguf")
    print("model loaded:", type(model).__name__, tuple(model(torch.tensor([[1, 3, 4]])).logits.shape), flush=True)
except Exception:
    failed += 1
    traceback.print_exc()
    sys.stderr.flush()
try:
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file="tiny.gguf")
    print("tokenizer loaded:", tokenizer("a b")["input_ids"], flush=True)
except Exception:
    failed += 1
    traceback.print_exc()
    sys.stderr.flush()
sys.exit(failed)
'''


def _run(without):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        code, output = run_script(WRITE, args=(folder,), timeout=120)
        assert code == 0, "gguf could not write the tiny GGUF file\n" + output
        return run_script(LOAD, args=(folder,), timeout=300, without=without)


def reproduce():
    code, output = _run(_overlay())  # the environment without gguf: the overlay folder taken off the path
    assert code == 2, "transformers loaded the GGUF file without gguf\n" + output
    assert "gguf>=0.10.0 to load a GGUF checkpoint" in output, output
    return output


def fixed():
    return succeeded(_run(None), "model loaded: LlamaForCausalLM (1, 3, 8)", "tokenizer loaded: [1, 3, 4]")

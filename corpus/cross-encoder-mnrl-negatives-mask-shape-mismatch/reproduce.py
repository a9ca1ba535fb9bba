"""sentence-transformers 4.0-5.2: CrossEncoder MultipleNegativesRankingLoss picking in-batch negatives with the
mask and the index tensor transposed: IndexError: The shape of the mask [2, 4] at index 0 does not match the shape
of the indexed tensor [4, 2] at index 0, in get_in_batch_negatives.

A tiny BERT cross-encoder is saved from a config (nothing is downloaded) and the loss is called on one batch of two
(query, positive, negative) rows with the default num_negatives=4. Two anchors times two candidate columns make four
candidates, so ``num_negatives < len(candidates_flattened)`` is false and the "take every negative" branch runs,
which builds ``torch.arange(batch_size).repeat(batch_size * num_columns, 1)`` (shape [4, 2]) and indexes it with the
[2, 4] mask. 5.3.0 (PR #3636, #3641) builds the index as ``arange(batch_size * num_columns).repeat(batch_size, 1)``.

The environment's sentence-transformers is newer, so this needs 5.1.2 as a PYTHONPATH overlay IN FRONT of it
(``scripts/verify.py --overlays`` installs OVERLAY; 5.1.2 imports PIL, which the environment lacks). reproduce() runs
with the overlay, fixed() (fix 0, the upgrade) runs the same script with the overlay taken off sys.path.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("sentence-transformers", (5, 3))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "sentence_transformers 4_x to 5_2 as a PYTHONPATH overlay in front of 5_3 or newer, see the docstring"
OVERLAY = ("sentence-transformers==5.1.2", "pillow==11.3.0")
REQUIRES = ("torch", "transformers", "sentence_transformers") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os, tempfile
import sentence_transformers
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast
from sentence_transformers.cross_encoder import CrossEncoder
from sentence_transformers.cross_encoder.losses import MultipleNegativesRankingLoss
print("sentence-transformers", sentence_transformers.__version__, flush=True)

path = tempfile.mkdtemp()
words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "what", "is", "the", "a", "panda", "bear", "cat",
         "paris", "london", "capital", "of", "france"]
with open(os.path.join(path, "vocab.txt"), "w") as f:
    f.write("\n".join(words) + "\n")
BertTokenizerFast(vocab_file=os.path.join(path, "vocab.txt")).save_pretrained(path)
config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, num_labels=1)
BertForSequenceClassification(config).save_pretrained(path)

model = CrossEncoder(path, device="cpu")
loss = MultipleNegativesRankingLoss(model)  # num_negatives=4, the default
anchors = ["what is a panda", "what is the capital of france"]
positives = ["a panda is a bear", "paris is the capital of france"]
negatives = ["a panda is a cat", "london is the capital of france"]
value = loss([anchors, positives, negatives], None)
print("loss computed", float(value.detach()), flush=True)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code != 0, "the loss ran; sentence-transformers must be 4.0 to 5.2\n" + output
    assert "The shape of the mask [2, 4] at index 0" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "loss computed")

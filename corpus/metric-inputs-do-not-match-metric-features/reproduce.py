"""A seq2seq ``compute_metrics`` hands the token ids it got from the Trainer (numpy arrays, labels padded with -100)
straight to a text metric. The metric declares string features the way evaluate's sacrebleu does (a string prediction
and a list of string references, or a single string reference): evaluate's own feature check in
``EvaluationModule.add_batch`` finds that no feature option fits the ids and raises ``ValueError: Predictions and/or
references don't match the expected format.`` with the ``Feature option N`` lines and the inputs.

Nothing downloads: the metric is a local metric script written for this test (a word-overlap score; not evaluate's
or sacrebleu's code) loaded with ``evaluate.load(<path to the .py>)``, with HF_EVALUATE_OFFLINE / HF_HUB_OFFLINE set
and an empty HF_HOME; the tokenizer is kbfix.reproduce's tiny word-level one. fixed() applies fix 0: -100 replaced by the
pad id, predictions and labels decoded with ``tokenizer.batch_decode(..., skip_special_tokens=True)`` and each
reference wrapped in a list, and the same metric returns a score.

evaluate is not a dependency of kbfix's test environment: where its distribution is missing, REQUIRES names a module
that cannot exist, so the test skips this entry; ``scripts/verify.py --overlays`` installs the release below to run it.
"""

from kbfix.reproduce import distribution_installed, failed, run_script, succeeded


# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("evaluate==0.4.6",)
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("datasets", "numpy", "tokenizers", "transformers") + (
    ("evaluate",) if distribution_installed("evaluate") else ("kbfix_requires_the_evaluate_package",))
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_EVALUATE_OFFLINE="1", HF_HUB_OFFLINE="1",
                  HF_DATASETS_OFFLINE="1")
os.chdir(work)
decode = sys.argv[1] == "decode"
os.makedirs(os.path.join("metrics", "overlap"))
with open(os.path.join("metrics", "overlap", "overlap.py"), "w") as f:
    f.write("""
import datasets
import evaluate


class Overlap(evaluate.Metric):
    def _info(self):
        # the features a text metric declares (these are sacrebleu's: a list of references, or one reference)
        return evaluate.MetricInfo(
            description="share of predicted words found in a reference", citation="", inputs_description="",
            features=[
                datasets.Features({"predictions": datasets.Value("string", id="sequence"),
                                   "references": datasets.Sequence(datasets.Value("string", id="sequence"),
                                                                   id="references")}),
                datasets.Features({"predictions": datasets.Value("string", id="sequence"),
                                   "references": datasets.Value("string", id="sequence")}),
            ])

    def _compute(self, predictions, references):
        hits = total = 0
        for prediction, refs in zip(predictions, references):
            refs = [refs] if isinstance(refs, str) else refs
            words = set(" ".join(refs).split())
            hits += sum(w in words for w in prediction.split())
            total += len(prediction.split())
        return {"overlap": hits / max(total, 1)}
""")

import numpy as np
import evaluate
from kbfix.reproduce import word_tokenizer

print("evaluate", evaluate.__version__, flush=True)
tokenizer = word_tokenizer("the cat sat on a mat dog ran".split())

# what Seq2SeqTrainer (predict_with_generate) hands compute_metrics: generated ids padded with the pad id,
# label ids padded with -100
targets = ["the cat sat on a mat", "a dog ran"]
labels = np.full((2, 8), -100)
for row, text in enumerate(targets):
    ids = tokenizer(text)["input_ids"] + [tokenizer.eos_token_id]
    labels[row, :len(ids)] = ids
preds = np.where(labels != -100, labels, tokenizer.pad_token_id)
preds[1, 1] = tokenizer.convert_tokens_to_ids("cat")    # one wrong word

metric = evaluate.load("./metrics/overlap")


def compute_metrics(eval_pred):
    preds, labels = eval_pred
    if decode:   # fix 0: decode the ids (after -100 -> pad id), one list of references per prediction
        preds = np.where(preds != -100, preds, tokenizer.pad_token_id)
        labels = np.where(labels != -100, labels, tokenizer.pad_token_id)
        pred_str = tokenizer.batch_decode(preds, skip_special_tokens=True)
        label_str = tokenizer.batch_decode(labels, skip_special_tokens=True)
        return metric.compute(predictions=pred_str, references=[[s] for s in label_str])
    return metric.compute(predictions=preds, references=labels)


print("score", compute_metrics((preds, labels)), flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), timeout=240)


def reproduce():
    output = failed(_run("ids"))
    assert "Predictions and/or references don't match the expected format" in output, output
    return output


def fixed():
    return succeeded(_run("decode"), "score {'overlap': 0.8888888888888888}")

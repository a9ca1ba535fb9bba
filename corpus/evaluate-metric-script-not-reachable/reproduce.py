"""evaluate.load("accuracy") on a machine that cannot reach the Hub: evaluate looks for ./accuracy/accuracy.py, then
for the Space evaluate-metric/accuracy, then for a cached copy, and reports that the module exists nowhere.

The child runs with HF_EVALUATE_OFFLINE=1 and HF_HUB_OFFLINE=1 (what an offline node sets; without them a machine with
no network ends in the same message through a ConnectionError), in an empty working directory and an empty HF_HOME,
so nothing downloads. fixed() applies fix 0: the metric is loaded by the path of a local copy of its script
(``./metrics/accuracy``, standing for the Space downloaded on another machine; the script here is a small metric
written for this test, not evaluate's code) and computes a score offline.

evaluate is not a dependency of kbfix's test environment: where its distribution is missing, REQUIRES names a module
that cannot exist, so the test skips this entry; ``scripts/verify.py --overlays`` installs the release below to run it.
"""

from kbfix.reproduce import distribution_installed, run_script, succeeded


# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("evaluate==0.4.6",)
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("datasets",) + (
    ("evaluate",) if distribution_installed("evaluate") else ("kbfix_requires_the_evaluate_package",))
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_EVALUATE_OFFLINE="1", HF_HUB_OFFLINE="1",
                  HF_DATASETS_OFFLINE="1")
os.chdir(work)
local = sys.argv[1] == "local"
if local:   # fix 0: a local copy of the metric's script (on a real machine: the Space evaluate-metric/accuracy)
    os.makedirs(os.path.join("metrics", "accuracy"))
    with open(os.path.join("metrics", "accuracy", "accuracy.py"), "w") as f:
        f.write("""
import datasets
import evaluate


class Accuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description="share of predictions equal to the references", citation="", inputs_description="",
            features=datasets.Features({"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}))

    def _compute(self, predictions, references):
        return {"accuracy": sum(int(p == r) for p, r in zip(predictions, references)) / len(predictions)}
""")
import evaluate
print("evaluate", evaluate.__version__, flush=True)
metric = evaluate.load("./metrics/accuracy" if local else "accuracy")
print("score", metric.compute(predictions=[1, 0, 1, 1], references=[1, 1, 1, 1]), flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), timeout=240)


def reproduce():
    code, output = _run("hub")
    assert code != 0, "evaluate.load('accuracy') worked offline\n" + output
    assert "doesn't exist on the Hugging Face Hub either" in output, output
    return output


def fixed():
    return succeeded(_run("local"), "score {'accuracy': 0.75}")

"""lm-evaluation-harness run of a multiple-choice task against a chat-completions endpoint: the evaluator turns the
task into loglikelihood requests and ``LocalChatCompletion.loglikelihood`` refuses them before any request is sent.

The child runs lm_eval's own ``simple_evaluate`` on a two-question multiple-choice task written to a local JSON-lines
file (``output_type: multiple_choice``, the shape of mmlu, arc, hellaswag, GLUE) with
``--model local-chat-completions`` and a ``base_url`` on 127.0.0.1 port 9 that is never contacted: the guard raises
first. HF_HUB_OFFLINE / HF_DATASETS_OFFLINE are set and HF_HOME is empty, so nothing downloads.

fixed() applies fix 1: the same task through ``--model hf`` on the checkpoint itself (a tiny Llama and a word-level
tokenizer saved to a local folder, standing for the fine-tuned model the server was serving), which scores the choices
in-process and prints an accuracy. Fix 0 (``local-completions`` against a server that echoes prompt logprobs) needs a
running server and is checked by hand (its ``check``).

lm_eval is not a dependency of kbfix's test environment: where it is missing, REQUIRES names a module that cannot exist,
so the test skips this entry; ``scripts/verify.py --overlays`` installs the releases below (lm_eval without its
dependencies, plus the few its import path needs) to run it.
"""

from importlib.util import find_spec

from kbfix.reproduce import run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays):
# lm_eval itself, tenacity (API models), sacrebleu and what it imports (lm_eval.api.metrics imports it at the top)
OVERLAY = ("lm_eval==0.4.13", "tenacity==9.2.1", "sacrebleu==2.5.1", "portalocker==4.4.2", "tabulate==0.10.0",
           "colorama==0.4.6", "lxml==6.2.0")
OVERLAY_WITH_DEPS = ("aiohttp==3.14.5",)   # the API models import aiohttp at class definition
REQUIRES = ("torch", "transformers", "datasets") + (
    ("lm_eval", "aiohttp") if find_spec("lm_eval") is not None else ("kbfix_requires_the_lm_eval_package",))
FIXES = (1,)

SCRIPT = r'''
import json, os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
                  TOKENIZERS_PARALLELISM="false")
words = "Question : is the sky blue ? grass red Answer yes no".split()
data = os.path.join(work, "quiz.jsonl")
with open(data, "w") as f:
    for question, label in (("is the sky blue ?", 0), ("is grass red ?", 1)):
        f.write(json.dumps({"question": question, "label": label}) + "\n")
task = {"task": "tiny_quiz", "dataset_path": "json", "dataset_kwargs": {"data_files": {"test": data}},
        "test_split": "test", "output_type": "multiple_choice", "doc_to_text": "Question : {{question}} Answer",
        "doc_to_target": "label", "doc_to_choice": ["yes", "no"],
        "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}]}
if sys.argv[1] == "chat":   # the served fine-tune behind an OpenAI-compatible chat endpoint (never reached)
    model, model_args = "local-chat-completions", {"model": "my-finetune",
                                                   "base_url": "http://127.0.0.1:9/v1/chat/completions"}
else:                       # fix 1: score the checkpoint in-process with the hf backend
    from kbfix.reproduce import tiny_llama, word_tokenizer
    path = os.path.join(work, "my-finetune")
    tiny_llama(vocab=len(words) + 8).save_pretrained(path)
    word_tokenizer(words).save_pretrained(path)
    model, model_args = "hf", {"pretrained": path, "device": "cpu", "dtype": "float32", "batch_size": 1}
import lm_eval
from lm_eval.utils import setup_logging
setup_logging("INFO")
print("lm_eval", lm_eval.__version__, flush=True)
results = lm_eval.simple_evaluate(model=model, model_args=model_args, tasks=[task])
print("acc", results["results"]["tiny_quiz"]["acc,none"], flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), timeout=400)


def reproduce():
    code, output = _run("chat")
    assert code != 0, "the chat-completions model scored a multiple-choice task\n" + output
    assert "is not supported for chat completions" in output, output
    return output


def fixed():
    return succeeded(_run("hf"), "acc ")

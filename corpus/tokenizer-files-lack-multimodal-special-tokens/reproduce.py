"""A Gemma 3 style model folder whose tokenizer files predate the native processor: the tokenizer (built from
kbfix.reproduce's word_tokenizer, its vocabulary holding ``<start_of_image>``, ``<end_of_image>`` and
``<image_soft_token>``) is saved without ``extra_special_tokens``, beside a ``Gemma3ImageProcessorPil`` config and a
``processor_config.json`` naming ``Gemma3Processor``. ``AutoProcessor.from_pretrained`` builds ``Gemma3Processor``,
whose ``__init__`` reads ``tokenizer.boi_token_id``, and the tokenizer's ``__getattr__`` raises the real
``AttributeError: TokenizersBackend has no attribute boi_token_id`` (checked with transformers 5.25; 4.5x names the
fast class: ``GemmaTokenizerFast has no attribute ...``). fixed() applies the declaration the model repositories now
ship (fix 0 fetches it, fix 1 writes it): ``extra_special_tokens`` in ``tokenizer_config.json``, and the same folder
loads.

The image processor needs Pillow, which the test environment does not install: OVERLAY pins it. Everything else is
local and the child runs with HF_HUB_OFFLINE=1: nothing downloads.
"""

from kbfix.reproduce import run_script, succeeded

OVERLAY = ("pillow==11.2.1",)
REQUIRES = ("transformers", "tokenizers", "PIL")
FIXES = (0, 1)

SCRIPT = r'''
import json, os, sys, tempfile
from transformers import AutoProcessor, Gemma3ImageProcessorPil
from kbfix.reproduce import word_tokenizer

folder = os.path.join(tempfile.mkdtemp(), "gemma-3-4b-it-finetuned")
word_tokenizer(["describe", "the", "image", "<start_of_image>", "<end_of_image>", "<image_soft_token>"]).save_pretrained(folder)
Gemma3ImageProcessorPil(size={"height": 28, "width": 28}).save_pretrained(folder)
with open(os.path.join(folder, "processor_config.json"), "w") as f:
    json.dump({"processor_class": "Gemma3Processor", "image_seq_length": 4}, f)

if sys.argv[1] == "fix":   # what the current tokenizer_config.json of the model repository declares
    path = os.path.join(folder, "tokenizer_config.json")
    with open(path) as f:
        config = json.load(f)
    config["extra_special_tokens"] = {"boi_token": "<start_of_image>", "eoi_token": "<end_of_image>",
                                      "image_token": "<image_soft_token>"}
    with open(path, "w") as f:
        json.dump(config, f)

processor = AutoProcessor.from_pretrained(folder)
print("processor loaded:", type(processor).__name__, processor.tokenizer.boi_token, processor.image_token_id, flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}, timeout=300)


def reproduce():
    code, output = _run("files-without-extra-special-tokens")
    assert code != 0 and "has no attribute boi_token" in output, output
    return output


def fixed():
    return succeeded(_run("fix"), "processor loaded: Gemma3Processor")

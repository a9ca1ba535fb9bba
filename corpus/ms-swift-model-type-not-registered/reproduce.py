"""A Llama 3 checkpoint is loaded by ms-swift 4 with the model_type an ms-swift 2.x script named it by
(``--model_type llama3-8b-instruct``, a per-checkpoint name with dashes): ms-swift 3 and 4 register model types per
family (``llama`` covers Llama 2 / 3 / 3.1), so ``get_model_processor`` stops in ``get_model_info_meta`` with its real
``ValueError: model_type: 'llama3-8b-instruct' not in ['emu3_gen', ...]`` before loading anything.
fixed() applies fix 2 (the family name the installed release uses, ``llama``, taken from the error's list): the same
call loads the model and its tokenizer. Leaving model_type out does not help here: several registered types
(llama, yi, openbuddy_llama ...) share LlamaForCausalLM and ms-swift asks for one.

A tiny model and a word-level tokenizer saved here in a temporary folder; nothing is downloaded. ms-swift is not in
the test environment, so this runs in an overlay of the releases it was verified with (ms-swift 4.6.0 without its
dependencies, the transformers / peft / datasets its requirements accept and the modules ``swift.model`` imports);
elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("ms-swift==4.6.0", "transformers==5.19.0", "peft==0.20.0", "datasets==4.8.4", "modelscope==1.40.2",
           "modelscope-hub==0.5.1", "json-repair==0.64.6", "pillow==13.0.0")
# get_model_processor in swift.model and the 3.x / 4.x wording "model_type: '...' not in [...]"; verified with 4.6.0
REQUIRES = ("torch", "transformers", "swift") + (
    () if release_within("ms-swift", (4, 0), (4, 7)) and release_within("transformers", (4, 33), (5, 20))
    else ("kbfix_requires_ms_swift_4_0_to_4_6_with_transformers_below_5_20",))
FIXES = (2,)


def _load(model_type):
    """What ``swift sft / infer --model <folder> --model_type <name>`` loads first: the model and its processor."""
    from swift.model import get_model_processor

    from kbfix.reproduce import tiny_llama, word_tokenizer

    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as folder:
        tiny_llama().save_pretrained(folder)
        word_tokenizer("what is the answer".split()).save_pretrained(folder)
        return get_model_processor(folder, model_type=model_type)


def reproduce():
    _load("llama3-8b-instruct")         # the ms-swift 2.x name of Meta-Llama-3-8B-Instruct


def fixed():
    model, tokenizer = _load("llama")   # fix 2: the family name from the error's list
    assert model.model_info.model_type == "llama", model.model_info
    return f"model_type llama: {type(model).__name__} and its tokenizer loaded\n"

"""A merge / export script that saves only the model: a tiny base model folder (kbfix.reproduce's tiny_llama and
word_tokenizer, both saved with save_pretrained) is loaded and written to a ``merged-model`` folder with
``model.save_pretrained`` alone, as scripts that merge an adapter or export a checkpoint do. The folder holds
config.json, generation_config.json and model.safetensors; ``AutoTokenizer.from_pretrained`` on it picks
LlamaTokenizerFast from config.json, finds none of its vocabulary files and raises "OSError: Can't load tokenizer for
'<folder>'". Everything is local and the child runs with HF_HUB_OFFLINE=1: nothing downloads.

fixed() applies fix 0: the base model's tokenizer saved into the folder (``AutoTokenizer.from_pretrained(base)
.save_pretrained(folder)``); the folder's tokenizer then loads, with as many tokens as the model's embedding rows.

transformers 4.x before 4.52 raises it (4.52 dropped the "no vocabulary file found" check: the tokenizer class is
then built without files and fails later with other words). transformers 5.x builds LlamaTokenizer (TokenizersBackend)
without any file and raises "ValueError: Couldn't instantiate the backend tokenizer from one of: ... You need to have
sentencepiece or tiktoken installed ..." in tokenization_utils_tokenizers.py's __init__: the same folder, the same fix
(verified with 5.25.0). With 4.52-4.57 the test is skipped.
"""

from kbfix.reproduce import release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('transformers==4.47.1', 'tokenizers==0.21.0', 'huggingface_hub==0.27.0')
# the last module is never installed: it stands for "a transformers release that raises (4.x before 4.52, or 5.x)"
REQUIRES = ("torch", "transformers", "tokenizers") + (
    () if release_within("transformers", (4, 0), (4, 52)) or release_within("transformers", (5, 0))
    else ("kbfix_requires_transformers_4_x_before_4_52_or_5_x",))
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile
work = tempfile.mkdtemp()
from transformers import AutoModelForCausalLM, AutoTokenizer
from kbfix.reproduce import tiny_llama, word_tokenizer

# the base model: weights and tokenizer in one folder
base = os.path.join(work, "base-model")
base_tokenizer = word_tokenizer([f"w{i}" for i in range(61)])
base_tokenizer.save_pretrained(base)
tiny_llama(vocab=len(base_tokenizer)).save_pretrained(base)

# the merge / export step: only the model is saved
folder = os.path.join(work, "merged-model")
model = AutoModelForCausalLM.from_pretrained(base)
model.save_pretrained(folder)
print("saved:", sorted(os.listdir(folder)), flush=True)

if sys.argv[1] == "fix":                   # fix 0: save the tokenizer into the model folder
    AutoTokenizer.from_pretrained(base).save_pretrained(folder)

tokenizer = AutoTokenizer.from_pretrained(folder)
assert len(tokenizer) == model.get_input_embeddings().weight.shape[0], (len(tokenizer), model.config.vocab_size)
print("tokenizer loaded:", type(tokenizer).__name__, len(tokenizer), "tokens", flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}, timeout=300)


def reproduce():
    code, output = _run("model-only")
    # 4.x before 4.52: "Can't load tokenizer for '<folder>'"; 5.x: "Couldn't instantiate the backend tokenizer"
    assert code != 0 and ("Can't load tokenizer for" in output
                          or "Couldn't instantiate the backend tokenizer" in output), output
    return output


def fixed():
    return succeeded(_run("fix"), "tokenizer loaded:")

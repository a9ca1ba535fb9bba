"""transformers 4.57.3 warns about Mistral's broken pre-tokenizer regex for a tokenizer that is not Mistral's.

A local checkpoint folder the way a fine-tune saved with transformers 4.57.3 leaves it: a fast tokenizer with more than
100k entries (Qwen's is 151k; here a word-level one built with ``tokenizers``, nothing downloads) and a ``config.json``
with ``"model_type": "qwen3"`` and ``"transformers_version": "4.57.3"``. ``AutoTokenizer.from_pretrained`` on it
prints ``The tokenizer you are loading from '<folder>' with an incorrect regex pattern: ... set the
`fix_mistral_regex=True` flag ...``: 4.57.3 skips the check for local folders only when their config was written by
<= 4.57.2 or >= 5.0, so any folder it saved itself counts as Mistral (transformers#42591).

reproduce() loads it and returns what was printed; fixed() applies fix 0 (``fix_mistral_regex=False``): no warning, and
the same token ids as without the flag. Both need transformers 4.57.3, which the environment lacks: REQUIRES names an
impossible module elsewhere; scripts/verify.py --overlays installs the OVERLAY pins in front of the environment.
"""

from kbfix.reproduce import release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.57.3", "tokenizers==0.22.1", "huggingface_hub==0.36.0")
# the last module is never installed: it stands for "a transformers 4.57 release with the local-folder check (4.57.3+)"
REQUIRES = ("transformers", "tokenizers") + (
    () if release_within("transformers", (4, 57, 3), (4, 58, 0)) else ("kbfix_requires_transformers_4_57_3_to_4_57_x",))
FIXES = (0,)

SCRIPT = r'''
import json, os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
from tokenizers import Tokenizer, models, pre_tokenizers
import transformers
from transformers import AutoTokenizer, PreTrainedTokenizerFast
print("transformers", transformers.__version__, flush=True)

vocab = {"<|endoftext|>": 0, "[UNK]": 1, **{f"w{i}": i + 2 for i in range(100100)}}   # > 100k entries, like Qwen's
core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
folder = os.path.join(work, "checkpoint-600")
PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]", eos_token="<|endoftext|>").save_pretrained(folder)
with open(os.path.join(folder, "config.json"), "w") as f:       # what a Qwen3 fine-tune saved with 4.57.3 writes
    json.dump({"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 151936,
               "transformers_version": "4.57.3"}, f)

text = "w1 w22 w333 w4444"
kwargs = {"fix_mistral_regex": False} if sys.argv[1] == "fixed" else {}
tokenizer = AutoTokenizer.from_pretrained(folder, **kwargs)
ids = tokenizer(text).input_ids
reference = PreTrainedTokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"))(text).input_ids
assert ids == reference, (ids, reference)
print("ids", ids, "same as the saved tokenizer", flush=True)
'''


def reproduce():
    code, output = run_script(SCRIPT, args=("reproduce",), timeout=300)
    assert code == 0, output
    assert "with an incorrect regex pattern" in output, "no warning: transformers must be 4.57.3+\n" + output
    return output


def fixed():
    output = succeeded(run_script(SCRIPT, args=("fixed",), timeout=300), "same as the saved tokenizer")
    assert "incorrect regex pattern" not in output, output
    return output

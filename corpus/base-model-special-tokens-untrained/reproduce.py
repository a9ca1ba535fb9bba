"""A base checkpoint whose chat-template tokens were never trained (their embedding and lm_head rows are zeros, as
Llama-3 base ships ``<|start_header_id|>``, ``<|end_header_id|>``, ``<|eot_id|>`` and the reserved tokens), fine-tuned
with LoRA on data written in that chat template. Unsloth's patched ``SFTTrainer.train`` first runs
``fix_untrained_tokens(self.model, tokenizer, self.train_dataset, IGNORED_TOKENIZER_NAMES, eps = 1e-16)`` from
``unsloth_zoo.tokenizer_utils``; with embed_tokens and lm_head frozen it raises ``ValueError: Unsloth: Untrained tokens
of [[...]] found, but embed_tokens & lm_head not trainable, causing NaNs. ...``.

Unsloth itself cannot be imported without a GPU, so a fresh interpreter calls unsloth_zoo's function the way
Unsloth's train() does, on a tiny Llama (hidden size 16, built from a config) wrapped by PEFT, a word-level tokenizer
and a ``datasets.Dataset`` of tokenized examples. ``import unsloth`` sets ``UNSLOTH_IS_PRESENT=1`` before it imports
unsloth_zoo (whose ``__init__`` refuses to load otherwise, and needs the unsloth package installed): the script sets
the same variable. fixed(): fix 0, the "instruct" checkpoint (the same model with the template tokens' rows trained,
the reserved tokens still zero): the check passes; fix 2, embed_tokens and lm_head trainable
(``modules_to_save=["embed_tokens", "lm_head"]``, what Unsloth's get_peft_model does when target_modules names them):
unsloth_zoo sets the untrained rows to the mean of the trained ones instead of raising.

Needs unsloth_zoo 2025.1.1 and unsloth 2025.1.1 (later unsloth_zoo releases refuse to import without an
accelerator) as a PYTHONPATH overlay (scripts/verify.py --overlays); elsewhere REQUIRES names a module that cannot
exist and the test skips it. Nothing downloads.
"""

from kbfix.reproduce import failed, release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("unsloth_zoo==2025.1.1", "unsloth==2025.1.1")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_unsloth_zoo_2025_1_1"
REQUIRES = ("torch", "transformers", "peft", "datasets", "tokenizers", "unsloth", "unsloth_zoo") + (
    () if release_within("unsloth_zoo", (2025, 1, 1), (2025, 1, 2)) else (OLD,))
FIXES = (0, 2)

SCRIPT = r'''
import os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
checkpoint, trainable = sys.argv[1], sys.argv[2] == "trainable"
import torch
from datasets import Dataset
from peft import LoraConfig, get_peft_model
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

template = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
reserved = [f"<|reserved_special_token_{i}|>" for i in range(4)]
words = "user assistant What is two plus ? It four .".split()
vocab = {tok: i for i, tok in enumerate(["[PAD]", "[UNK]"] + template + reserved + words)}
core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]", eos_token="<|eot_id|>")

torch.manual_seed(0)
model = LlamaForCausalLM(LlamaConfig(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64))
# the base checkpoint never trained these rows (all zeros); the instruct one trained the template's tokens
untrained = reserved + (template[1:] if checkpoint == "base" else [])
with torch.no_grad():
    for matrix in (model.get_input_embeddings().weight, model.get_output_embeddings().weight):
        matrix[tokenizer.convert_tokens_to_ids(untrained)] = 0

# the data, written with the Llama-3 chat template
text = ("<|begin_of_text|> <|start_header_id|> user <|end_header_id|> What is two plus two ? <|eot_id|> "
        "<|start_header_id|> assistant <|end_header_id|> It is four . <|eot_id|>")
train_dataset = Dataset.from_dict({"input_ids": [tokenizer(text)["input_ids"]] * 8})
config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"],
                    modules_to_save=["embed_tokens", "lm_head"] if trainable else None)
model = get_peft_model(model, config)

os.environ["UNSLOTH_IS_PRESENT"] = "1"       # what `import unsloth` sets before it imports unsloth_zoo
import unsloth_zoo
from unsloth_zoo.tokenizer_utils import fix_untrained_tokens
print("unsloth_zoo", unsloth_zoo.__version__, "checkpoint", checkpoint, "trainable" if trainable else "frozen",
      flush=True)
# the first line of Unsloth's patched SFTTrainer.train (IGNORED_TOKENIZER_NAMES: none for this model)
fix_untrained_tokens(model, tokenizer, train_dataset, [], eps = 1e-16)
print("train() would start now", flush=True)
'''


def _run(checkpoint, embeddings):
    return run_script(SCRIPT, args=(checkpoint, embeddings), env={"HF_HUB_OFFLINE": "1"}, timeout=240)


def reproduce():
    output = failed(_run("base", "frozen"))
    assert "embed_tokens & lm_head not trainable" in output, output
    return output


def fixed():
    shown = [succeeded(_run("instruct", "frozen"), "train() would start now"),      # fix 0: the instruct checkpoint
             succeeded(_run("base", "trainable"), "train() would start now")]       # fix 2: rows made trainable
    assert "untrained tokens to mean(trained)" in shown[1], shown[1]
    return "\n".join(shown)

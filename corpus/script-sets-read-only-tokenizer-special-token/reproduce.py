"""A script assigns a special token on a tokenizer whose model repository defines it as a read-only property.

ChatGLM2-6B's tokenization_chatglm.py returns pad_token / unk_token / eos_token and pad_token_id / eos_token_id
from ``@property`` methods without setters. With transformers 4.x the base class's settable pad_token is hidden by
the subclass's property, so FastChat's ``tokenizer.pad_token = tokenizer.unk_token`` (and lm-eval's, opencompass')
raises Python's descriptor error: "property 'pad_token' of 'ChatGLMTokenizer' object has no setter" (3.11+),
"can't set attribute 'pad_token'" (3.10). transformers 5.x stores such assignments itself and raises nothing, so this
needs transformers 4.x (verified with 4.46.3) as a PYTHONPATH overlay; elsewhere REQUIRES names a module that cannot
exist and the test skips it.

The tokenizer file is written to a temporary folder and imported from there, as transformers imports a
repository's code from ``transformers_modules``. reproduce(): the scripts' unconditional assignments (the real
AttributeError from the real base class). fixed(): fix 0, assign only when the tokenizer has no pad token and catch
the error for the ``_id`` form; the tokenizer then pads a batch with its own pad token. CPU only, nothing downloaded.
"""

import importlib.util
import sys
import tempfile
from pathlib import Path

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.46.3", "tokenizers==0.20.3", "huggingface_hub==0.34.4")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_transformers_4_x"
REQUIRES = ("transformers",) + (() if release_within("transformers", (4, 0), (5, 0)) else (OLD,))
FIXES = (0,)

TOKENIZER = '''
from transformers import PreTrainedTokenizer


class ChatGLMTokenizer(PreTrainedTokenizer):
    """The shape of ChatGLM2-6B's tokenization_chatglm.py: special tokens as read-only properties."""
    vocab_files_names = {}
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, padding_side="left", **kwargs):
        self.pieces = ["<unk>", "<pad>", "</s>", "hello", "world"]
        super().__init__(padding_side=padding_side, **kwargs)

    @property
    def unk_token(self) -> str:
        return "<unk>"

    @property
    def pad_token(self) -> str:
        return "<unk>"

    @property
    def pad_token_id(self):
        return self.pieces.index("<pad>")

    @property
    def eos_token(self) -> str:
        return "</s>"

    @property
    def eos_token_id(self):
        return self.pieces.index("</s>")

    @property
    def vocab_size(self):
        return len(self.pieces)

    def get_vocab(self):
        return {piece: i for i, piece in enumerate(self.pieces)}

    def _tokenize(self, text, **kwargs):
        return text.split()

    def _convert_token_to_id(self, token):
        return self.pieces.index(token) if token in self.pieces else 0

    def _convert_id_to_token(self, index):
        return self.pieces[index]
'''


def _tokenizer():
    folder = tempfile.mkdtemp()
    path = Path(folder) / "tokenization_chatglm.py"
    path.write_text(TOKENIZER)
    name = "kbfix_repro_readonly_tokenization_chatglm"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.ChatGLMTokenizer()


def reproduce():
    tokenizer = _tokenizer()
    tokenizer.pad_token = tokenizer.eos_token          # FastChat train.py / lm-eval / opencompass
    tokenizer.pad_token_id = tokenizer.eos_token_id    # never reached on 4.x


def fixed():
    tokenizer = _tokenizer()
    if tokenizer.pad_token is None:                     # fix 0: only when the tokenizer has none
        tokenizer.pad_token = tokenizer.eos_token
    try:
        tokenizer.pad_token_id = tokenizer.eos_token_id
    except AttributeError:
        pass                                            # the repository's tokenizer keeps its own pad id
    batch = tokenizer(["hello world", "hello"], padding=True)
    assert batch["input_ids"][1][0] == tokenizer.pad_token_id, batch
    return f"pad_token={tokenizer.pad_token} pad_token_id={tokenizer.pad_token_id} input_ids={batch['input_ids']}"

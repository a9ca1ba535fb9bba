"""A model repository's own tokenizer (loaded with trust_remote_code) written for transformers < 4.34:
like ChatGLM-6B's tokenization_chatglm.py, it calls ``super().__init__(...)`` first and only then sets
``self.sp_tokenizer``, which its ``vocab_size`` / ``get_vocab`` read. From transformers 4.34 on,
``PreTrainedTokenizer.__init__`` adds the special tokens through ``_add_tokens``, which calls
``self.get_vocab()`` before the subclass has set its attribute, so the real library raises
``AttributeError: 'ChatGLMTokenizer' object has no attribute 'sp_tokenizer'`` (4.34-4.46) or, through
``PreTrainedTokenizerBase.__getattr__`` (4.47+), ``AttributeError: ChatGLMTokenizer has no attribute vocab_size``.

The tokenizer file is written to a temporary folder and imported from there, as transformers imports a
repository's code from ``transformers_modules``. fixed() applies fix 0/1: the repository's updated code
sets the attribute before ``super().__init__()``. CPU only, nothing downloaded.
"""

import importlib.util
import sys
import tempfile
from pathlib import Path

REQUIRES = ("transformers",)
FIXES = (0, 1)

OLD = '''
from transformers import PreTrainedTokenizer


class SPTokenizer:
    """Stands for the sentencepiece wrapper of ChatGLM-6B (ice_text.model)."""

    def __init__(self, vocab_file):
        self.pieces = ["<unk>", "<pad>", "<sop>", "<eop>", "hello", "world"]

    @property
    def num_tokens(self):
        return len(self.pieces)


class ChatGLMTokenizer(PreTrainedTokenizer):
    vocab_files_names = {"vocab_file": "ice_text.model"}
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, vocab_file, unk_token="<unk>", pad_token="<pad>", bos_token="<sop>", eos_token="<eop>", **kwargs):
        INIT
        self.vocab_file = vocab_file

    @property
    def vocab_size(self):
        """ Returns vocab size """
        return self.sp_tokenizer.num_tokens

    def get_vocab(self):
        vocab = {self._convert_id_to_token(i): i for i in range(self.vocab_size)}
        vocab.update(self.added_tokens_encoder)
        return vocab

    def _convert_id_to_token(self, index):
        return self.sp_tokenizer.pieces[index]

    def _convert_token_to_id(self, token):
        pieces = self.sp_tokenizer.pieces
        return pieces.index(token) if token in pieces else 0

    def _tokenize(self, text, **kwargs):
        return text.split()
'''

# written for transformers < 4.34: the parent first, the attribute after
BEFORE = '''super().__init__(unk_token=unk_token, pad_token=pad_token, bos_token=bos_token, eos_token=eos_token, **kwargs)
        self.sp_tokenizer = SPTokenizer(vocab_file)'''
# the repositories' updated code: the attribute first, then the parent
AFTER = '''self.sp_tokenizer = SPTokenizer(vocab_file)
        super().__init__(unk_token=unk_token, pad_token=pad_token, bos_token=bos_token, eos_token=eos_token, **kwargs)'''


def _load(init: str, folder: str):
    path = Path(folder) / "tokenization_chatglm.py"
    path.write_text(OLD.replace("INIT", init))
    name = f"kbfix_repro_tokenization_chatglm_{abs(hash(init))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.ChatGLMTokenizer


def reproduce():
    with tempfile.TemporaryDirectory() as folder:
        tokenizer_class = _load(BEFORE, folder)
        tokenizer_class(vocab_file="ice_text.model")     # raises inside PreTrainedTokenizer.__init__


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        tokenizer_class = _load(AFTER, folder)
        tokenizer = tokenizer_class(vocab_file="ice_text.model")
        ids = tokenizer("hello world")["input_ids"]
        return f"vocab {len(tokenizer.get_vocab())} ids {ids}"

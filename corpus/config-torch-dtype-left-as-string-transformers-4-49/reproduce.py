"""A model whose own code builds its layers with ``config.torch_dtype`` (ChatGLM2/3, GLM-4, Kolors' ``ChatGLMModel``
all do ``nn.Embedding(..., dtype=config.torch_dtype, device=device)``), here a one-embedding PreTrainedModel written
the same way, saved locally (no network) and loaded back with ``from_pretrained`` and no ``torch_dtype``.

transformers 4.49.0 sets ``config.torch_dtype = str(torch.get_default_dtype()).split(".")[-1]`` (the string
``"float32"``) on that path, so the model's ``__init__`` hands torch a str dtype: ``TypeError: empty() received an
invalid combination of arguments - got (tuple, dtype=str, device=NoneType)`` (torch 2.13: ``empty(): argument
'dtype' must be torch.dtype, not str``). The environment's transformers is newer,
so the 4.49.0 release runs IN FRONT of it, as an overlay (how it was checked):

    pip install --no-deps --target /tmp/tf449 "transformers==4.49.0" "tokenizers==0.21.0" "huggingface_hub==0.29.1"
    PYTHONPATH=/tmp/tf449:$PWD python -m pytest tests/test_reproducers.py -k config-torch-dtype-left-as-string

Elsewhere REQUIRES names what is missing and the test skips it. fixed() applies fix 0, another release: the same load
with the overlay taken off the path, so the environment's transformers (4.50 or newer, which keeps a torch.dtype
there) builds the model and runs a forward pass.
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("transformers", (4, 50))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "transformers 4_49_0 as a PYTHONPATH overlay in front of transformers 4_50 or newer"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.49.0", "tokenizers==0.21.0", "huggingface_hub==0.29.1")
REQUIRES = ("torch", "transformers", "safetensors") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HOME=os.path.join(work, "hf"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
import torch
import transformers
from transformers import PretrainedConfig, PreTrainedModel
print("transformers", transformers.__version__, flush=True)


class GLMStyleConfig(PretrainedConfig):
    model_type = "glm_style_demo"

    def __init__(self, padded_vocab_size=64, hidden_size=16, **kwargs):
        self.padded_vocab_size = padded_vocab_size
        self.hidden_size = hidden_size
        super().__init__(**kwargs)


class GLMStyleModel(PreTrainedModel):
    config_class = GLMStyleConfig

    def __init__(self, config, device=None):
        super().__init__(config)
        # as ChatGLM's Embedding.__init__: the config's dtype goes straight to torch
        self.word_embeddings = torch.nn.Embedding(config.padded_vocab_size, config.hidden_size,
                                                  dtype=config.torch_dtype, device=device)
        self.post_init()

    def _init_weights(self, module):
        pass

    def forward(self, input_ids):
        return self.word_embeddings(input_ids)


folder = os.path.join(work, "glm-style")
GLMStyleModel(GLMStyleConfig(torch_dtype="float32")).save_pretrained(folder)
model = GLMStyleModel.from_pretrained(folder)          # no torch_dtype, as AutoModel.from_pretrained(path) in the reports
out = model(torch.tensor([[1, 2, 3]]))
print("loaded", type(model).__name__, "output", tuple(out.shape), flush=True)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code != 0, "transformers loaded the model; the overlay must be transformers 4.49.0\n" + output
    assert "dtype=str" in output or "must be torch.dtype, not str" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "loaded GLMStyleModel output (1, 3, 16)")

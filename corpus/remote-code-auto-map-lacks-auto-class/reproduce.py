"""A tiny trust_remote_code model (its own configuration/modeling files, like ChatGLM or Baichuan) whose config.json
auto_map registers AutoModelForCausalLM only, loaded through AutoModelForSequenceClassification as reward-model
training does."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

_MODELING = '''
import torch
from transformers import PreTrainedModel

from .configuration_tiny_remote import TinyRemoteConfig


class TinyRemoteForCausalLM(PreTrainedModel):
    config_class = TinyRemoteConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.lm_head = torch.nn.Linear(config.hidden_size, config.vocab_size)
        self.post_init()

    def forward(self, input_ids, **kwargs):
        return self.lm_head(self.embed(input_ids))


class TinyRemoteForSequenceClassification(PreTrainedModel):
    config_class = TinyRemoteConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.score = torch.nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids, **kwargs):
        return self.score(self.embed(input_ids)[:, -1])
'''


def _model_dir(auto_map):
    import json
    import tempfile
    from pathlib import Path

    from kbfix.reproduce import remote_code_sources

    folder = Path(tempfile.mkdtemp(prefix="tiny_remote_")) / "tiny-remote-model"
    folder.mkdir()
    files = {**remote_code_sources("tiny_remote", "TinyRemoteConfig"), "modeling_tiny_remote.py": _MODELING}
    for name, code in files.items():
        (folder / name).write_text(code)
    config = {"model_type": "tiny_remote", "vocab_size": 32, "hidden_size": 8, "num_labels": 1,
              "architectures": ["TinyRemoteForCausalLM"], "auto_map": auto_map}
    (folder / "config.json").write_text(json.dumps(config))
    from transformers import AutoConfig, AutoModelForCausalLM

    # real weights, so that only the Auto class lookup can fail
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(str(folder), trust_remote_code=True),
                                             trust_remote_code=True)
    model.save_pretrained(str(folder))
    (folder / "config.json").write_text(json.dumps(config))
    return folder


_CAUSAL_ONLY = {"AutoConfig": "configuration_tiny_remote.TinyRemoteConfig",
                "AutoModelForCausalLM": "modeling_tiny_remote.TinyRemoteForCausalLM"}


def reproduce():
    from transformers import AutoModelForSequenceClassification

    folder = _model_dir(_CAUSAL_ONLY)
    AutoModelForSequenceClassification.from_pretrained(str(folder), trust_remote_code=True)


def fixed():
    from transformers import AutoModelForSequenceClassification

    # the model's own code has (or is given) a sequence-classification class: register it in auto_map
    folder = _model_dir(dict(_CAUSAL_ONLY, AutoModelForSequenceClassification="modeling_tiny_remote.TinyRemoteForSequenceClassification"))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder), trust_remote_code=True)
    assert type(model).__name__ == "TinyRemoteForSequenceClassification"

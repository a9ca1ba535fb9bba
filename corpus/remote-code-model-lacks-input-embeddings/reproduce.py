"""A tiny PreTrainedModel subclass written the way remote code often is (Baichuan-13B, ChatGLM2 in their first
weeks): the token embedding lives under a name of its own (`self.transformer.word_embeddings`) and the class
overrides neither get_input_embeddings nor set_input_embeddings. resize_token_embeddings (what PEFT's
AutoPeftModelForCausalLM, LMFlow and DeepSpeed-Chat call) then reaches transformers' accessor, which raises the real
NotImplementedError: bare up to 4.53, "`get_input_embeddings` not auto-handled for ..." from 4.54 on.

fixed() builds the same model with the two methods implemented in the class (fix 1) and patches them onto a loaded
instance of the original class (fix 2); resize_token_embeddings works on both. CPU only, nothing downloaded.
"""

import types

REQUIRES = ("transformers", "torch")
FIXES = (1, 2)


def _classes():
    import torch
    from torch import nn
    from transformers import PretrainedConfig, PreTrainedModel

    class TinyRemoteConfig(PretrainedConfig):
        model_type = "tiny_remote"

        def __init__(self, vocab_size=32, hidden_size=8, **kwargs):
            self.vocab_size = vocab_size
            self.hidden_size = hidden_size
            super().__init__(**kwargs)

    class TinyBackbone(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size)

        def forward(self, input_ids):
            return self.word_embeddings(input_ids)

    class TinyRemoteForCausalLM(PreTrainedModel):
        config_class = TinyRemoteConfig
        base_model_prefix = "transformer"

        def __init__(self, config):
            super().__init__(config)
            self.transformer = TinyBackbone(config)
            self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
            self.post_init()

        def _init_weights(self, module):
            pass

        def forward(self, input_ids):
            return self.lm_head(self.transformer(input_ids))

    class TinyFixedForCausalLM(TinyRemoteForCausalLM):
        def get_input_embeddings(self):
            return self.transformer.word_embeddings

        def set_input_embeddings(self, value):
            self.transformer.word_embeddings = value

    torch.manual_seed(0)
    return TinyRemoteConfig, TinyRemoteForCausalLM, TinyFixedForCausalLM


def reproduce():
    config_cls, broken, _ = _classes()
    model = broken(config_cls())
    model.resize_token_embeddings(40, mean_resizing=False)   # raises the real NotImplementedError


def _check(model):
    import torch

    model.resize_token_embeddings(40, mean_resizing=False)
    assert model.get_input_embeddings() is model.transformer.word_embeddings
    assert model.get_input_embeddings().num_embeddings == 40
    model.enable_input_require_grads()
    assert model(torch.tensor([[1, 39]])).shape[-1] == 40


def fixed():
    config_cls, broken, repaired = _classes()
    _check(repaired(config_cls()))             # fix 1: the class implements both methods
    model = broken(config_cls())               # fix 2: patch the loaded instance
    model.get_input_embeddings = types.MethodType(lambda self: self.transformer.word_embeddings, model)
    model.set_input_embeddings = types.MethodType(
        lambda self, value: setattr(self.transformer, "word_embeddings", value), model)
    _check(model)

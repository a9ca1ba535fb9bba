"""An old-style checkpoint (LayerNorm gamma/beta, as pytorch-pretrained-bert and old TF ports saved it) loaded into
a current module that names the same parameters weight/bias."""

REQUIRES = ("torch",)
FIXES = (0,)


class _Block:
    @staticmethod
    def build():
        from collections import OrderedDict

        import torch

        return torch.nn.Sequential(OrderedDict(dense=torch.nn.Linear(8, 8), LayerNorm=torch.nn.LayerNorm(8)))


def _old_checkpoint():
    """The same weights under the old release's names."""
    renamed = {}
    for key, value in _Block.build().state_dict().items():
        if key.startswith("LayerNorm."):
            key = key.replace(".weight", ".gamma").replace(".bias", ".beta")
        renamed[key] = value
    return renamed


def reproduce():
    _Block.build().load_state_dict(_old_checkpoint())


def fixed():
    import re

    state = {re.sub(r"\.gamma$", ".weight", re.sub(r"\.beta$", ".bias", k)): v for k, v in _old_checkpoint().items()}
    result = _Block.build().load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys

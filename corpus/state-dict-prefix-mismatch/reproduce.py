"""Save a tiny BERT's state_dict from inside nn.DataParallel, then load it strictly into the bare model."""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    return BertModel(config, add_pooling_layer=False)


def _save_wrapped(path):
    import torch

    wrapped = torch.nn.DataParallel(_model())  # DDP / DataParallel: every key gains "module."
    torch.save(wrapped.state_dict(), path)
    return wrapped


def reproduce():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.pt")
        _save_wrapped(path)
        _model().load_state_dict(torch.load(path, map_location="cpu", weights_only=True))


def fixed():
    import os
    import tempfile

    import torch
    from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.pt")
        wrapped = _save_wrapped(path)
        # fix 0: strip the prefix from the saved state_dict, then load strictly
        state_dict = torch.load(path, map_location="cpu", weights_only=True)
        consume_prefix_in_state_dict_if_present(state_dict, "module.")
        _model().load_state_dict(state_dict, strict=True)
        # fix 1: save the unwrapped module next time
        torch.save(wrapped.module.state_dict(), path)
        _model().load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)

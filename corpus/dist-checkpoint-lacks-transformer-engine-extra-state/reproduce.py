"""A torch.distributed.checkpoint written without Transformer Engine extra state, loaded into layers that have it.

Megatron's dist-checkpointing (torch_dist format) hands the model's sharded state dict to torch.distributed.checkpoint,
whose default planner loads strictly. Transformer Engine modules add ``<module>._extra_state`` to that state dict
(``get_extra_state``: FP8 / attention metadata); a checkpoint saved by layers without it - the local layer spec, a
CPU-only conversion, an older TE - has no such key. Here two tiny decoders share their weights' names: one built from
plain ``torch.nn.Linear`` (saves the checkpoint, single process, no process group), one from a Linear subclass with
``get_extra_state`` / ``set_extra_state`` as TE's layers have. ``dcp.load`` into the second raises the real
``RuntimeError: Missing key in checkpoint state_dict: decoder.layers.0.linear_qkv._extra_state.``

fixed() applies fix 0: the same load with ``DefaultLoadPlanner(allow_partial_load=True)``, which is what Megatron's
``log_all`` / ``ignore_all`` strictness and NeMo's ``ckpt_load_strictness="log_all"`` amount to for keys the checkpoint
lacks; it then checks that every weight was loaded and only ``_extra_state`` keys were skipped.
"""

import tempfile

REQUIRES = ("torch",)
FIXES = (0,)


def _decoders():
    import torch

    class TELinear(torch.nn.Linear):
        """A Linear with extra state, as Transformer Engine's layers keep FP8 metadata."""

        def get_extra_state(self):
            return torch.zeros(4, dtype=torch.uint8)

        def set_extra_state(self, state):
            pass

    class Layer(torch.nn.Module):
        def __init__(self, linear):
            super().__init__()
            self.linear_qkv = linear(8, 24)
            self.linear_proj = linear(8, 8)

    class Decoder(torch.nn.Module):
        def __init__(self, linear):
            super().__init__()
            self.decoder = torch.nn.ModuleDict({"layers": torch.nn.ModuleList([Layer(linear) for _ in range(2)])})

    torch.manual_seed(0)
    return Decoder(torch.nn.Linear), Decoder(TELinear)


def _load(allow_partial_load: bool):
    import torch
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint import DefaultLoadPlanner

    saved, te_model = _decoders()
    with tempfile.TemporaryDirectory() as folder:
        dcp.save(saved.state_dict(), checkpoint_id=folder)
        state = te_model.state_dict()
        dcp.load(state, checkpoint_id=folder, planner=DefaultLoadPlanner(allow_partial_load=allow_partial_load))
    te_model.load_state_dict(state)
    for name, tensor in saved.state_dict().items():
        assert torch.equal(tensor, te_model.state_dict()[name]), name
    skipped = sorted(k for k in state if k not in saved.state_dict())
    assert skipped and all(k.endswith("._extra_state") for k in skipped), skipped
    return f"loaded {len(saved.state_dict())} weights; skipped {len(skipped)} _extra_state keys\n"


def reproduce():
    _load(allow_partial_load=False)


def fixed():
    return _load(allow_partial_load=True)

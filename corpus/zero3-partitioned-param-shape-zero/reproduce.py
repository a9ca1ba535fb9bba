"""A custom save callback writes ``model.state_dict()`` of a model DeepSpeed ZeRO-3 has partitioned, and the file
is loaded into a full model: every tensor in it is ``torch.Size([0])``.

The real DeepSpeed engine on the CPU (one gloo rank, ``kbfix.reproduce.deepspeed_rank``) trains a tiny Qwen2 for
one step under ZeRO-3. Outside a forward pass DeepSpeed's ``free_param`` leaves ``param.data = torch.empty(0)`` in
each partitioned parameter, so ``torch.save(engine.module.state_dict())`` writes empty tensors and torch's strict
``load_state_dict`` reports ``size mismatch ... copying a param with shape torch.Size([0]) from checkpoint``.
``stage3_param_persistence_threshold`` is 0 here because the tiny model's tensors are all below the default 100k
elements, which ZeRO-3 keeps whole on every rank; a real model's weights are far above it and are partitioned.

fixed() applies the three listed fixes, each ending in the same strict load into a full model:
fix 0, ``stage3_gather_16bit_weights_on_model_save: true`` and ``engine.save_16bit_model(output_dir)``;
fix 1, DeepSpeed's ``zero_to_fp32.py`` (the copy ``save_checkpoint`` writes into the checkpoint folder) run on the
ZeRO checkpoint with ``--safe_serialization``; fix 2, the state dict taken inside
``deepspeed.zero.GatheredParameters``. Verified with deepspeed 0.19.8, torch 2.13 and transformers 5.25.
"""

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "transformers", "deepspeed", "safetensors")
FIXES = (0, 1, 2)

CONFIG = {
    "train_micro_batch_size_per_gpu": 1,
    "zero_optimization": {"stage": 3, "stage3_param_persistence_threshold": 0},
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-3, "torch_adam": True}},
}


def _model():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=False)
    return Qwen2ForCausalLM(config)


def _trained_engine(gather_on_save=False):
    """A ZeRO-3 engine after one training step (the process group must be up)."""
    import deepspeed
    import torch

    config = {**CONFIG, "zero_optimization": {**CONFIG["zero_optimization"],
                                              "stage3_gather_16bit_weights_on_model_save": gather_on_save}}
    model = _model()
    engine, *_ = deepspeed.initialize(model=model, config=config, model_parameters=model.parameters())
    ids = torch.tensor([[1, 2, 3, 4]])
    engine.backward(engine(input_ids=ids, labels=ids).loss)
    engine.step()
    return engine


def _rank():
    import contextlib

    import deepspeed

    stack = contextlib.ExitStack()
    stack.enter_context(deepspeed_rank())
    deepspeed.init_distributed(dist_backend="gloo")
    return stack


def _load(state_dict):
    """What from_pretrained / a resume does with the file: a strict load into a full model."""
    assert all(t.numel() > 0 for t in state_dict.values()), "empty tensors in the saved state dict"
    _model().load_state_dict(state_dict)


def reproduce():
    import os
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pytorch_model.bin")
        with _rank():
            engine = _trained_engine()
            torch.save(engine.module.state_dict(), path)  # the save callback: no gather, no zero_to_fp32
        _model().load_state_dict(torch.load(path, map_location="cpu", weights_only=True))


def fixed():
    import glob
    import os
    import subprocess
    import sys
    import tempfile

    import deepspeed
    import torch
    from safetensors.torch import load_file

    with tempfile.TemporaryDirectory() as folder:
        gathered_on_save = os.path.join(folder, "fix0")
        checkpoint = os.path.join(folder, "checkpoint-1")
        gathered_path = os.path.join(folder, "fix2", "pytorch_model.bin")
        os.makedirs(os.path.dirname(gathered_path))
        with _rank():
            # fix 0: the engine gathers the 16-bit weights when the model is saved
            assert _trained_engine(gather_on_save=True).save_16bit_model(gathered_on_save)
            engine = _trained_engine()
            engine.save_checkpoint(checkpoint, tag="global_step1")  # the ZeRO checkpoint fix 1 starts from
            # fix 2: gather the partitioned parameters around the save in one's own code
            with deepspeed.zero.GatheredParameters(list(engine.module.parameters()), modifier_rank=None):
                torch.save({k: v.detach().cpu().clone() for k, v in engine.module.state_dict().items()}, gathered_path)
        _load(torch.load(os.path.join(gathered_on_save, "pytorch_model.bin"), map_location="cpu", weights_only=True))
        # fix 1: python {checkpoint_dir}/zero_to_fp32.py {checkpoint_dir} {output_dir} --safe_serialization
        recovered = os.path.join(folder, "recovered")
        done = subprocess.run([sys.executable, os.path.join(checkpoint, "zero_to_fp32.py"), checkpoint, recovered,
                               "--safe_serialization"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        shards = glob.glob(os.path.join(recovered, "*.safetensors"))
        _load({k: v for shard in shards for k, v in load_file(shard).items()})
        _load(torch.load(gathered_path, map_location="cpu", weights_only=True))
    return ("fix 0 save_16bit_model, fix 1 zero_to_fp32.py and fix 2 GatheredParameters each saved full tensors; "
            "the strict load into a full model succeeded\n")

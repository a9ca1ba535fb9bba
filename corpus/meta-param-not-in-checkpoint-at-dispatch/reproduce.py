"""A checkpoint saved from a PEFT/wrapper model (every key prefixed with base_model.model.) is loaded into the plain
Qwen2ForCausalLM class with accelerate's init_empty_weights + load_checkpoint_and_dispatch (what device_map loading
does). No key matches, every parameter stays on the meta device, and placing the first one fails in
set_module_tensor_to_device. A per-module device map is forced (force_hooks) so this runs on a CPU-only machine the
way a multi-device map runs on GPUs.
fixed() strips the wrapper prefix (fix 0), so every parameter gets its value from the checkpoint.
"""

REQUIRES = ("torch", "transformers", "accelerate", "safetensors")
FIXES = (0,)

PREFIX = "base_model.model."
DEVICE_MAP = {"model": "cpu", "lm_head": "cpu"}


def _config():
    from transformers import Qwen2Config

    return Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                       num_attention_heads=2, num_key_value_heads=1)


def _load(strip_prefix):
    import os
    import tempfile

    import torch
    from accelerate import init_empty_weights, load_checkpoint_and_dispatch
    from safetensors.torch import load_file, save_file
    from transformers import Qwen2ForCausalLM

    torch.manual_seed(0)
    trained = Qwen2ForCausalLM(_config()).state_dict()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.safetensors")
        save_file({PREFIX + k: v.contiguous() for k, v in trained.items()}, path)  # saved from the wrapper
        if strip_prefix:  # fix 0: give the keys the names of the model they are loaded into
            state = load_file(path)
            save_file({k.removeprefix(PREFIX): v for k, v in state.items()}, path)
        with init_empty_weights():
            model = Qwen2ForCausalLM(_config())  # on meta, as from_pretrained(device_map=...) builds it
        model = load_checkpoint_and_dispatch(model, path, device_map=DEVICE_MAP, force_hooks=True)
    return model


def reproduce():
    _load(strip_prefix=False)


def fixed():
    import torch

    model = _load(strip_prefix=True)
    assert not any(p.is_meta for p in model.parameters())
    assert torch.isfinite(model(torch.tensor([[1, 2, 3]])).logits).all()

"""Real tiny artifacts for the probe tests: models saved by transformers, adapters by PEFT, configs.

Nothing is mocked and nothing is downloaded: every model is built from a config (hidden 16-32,
2-4 layers) and saved with ``save_pretrained``; damage is done to the saved files afterwards.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def qwen2(**overrides):
    from transformers import Qwen2Config

    values = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=4, num_attention_heads=2,
                  num_key_value_heads=1, max_position_embeddings=64)
    return Qwen2Config(**{**values, **overrides})


def gemma(**overrides):
    from transformers import GemmaConfig

    values = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                  num_key_value_heads=1, head_dim=8, max_position_embeddings=64)
    return GemmaConfig(**{**values, **overrides})


def gemma3_text(**overrides):
    from transformers import Gemma3TextConfig

    values = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                  num_key_value_heads=1, head_dim=8, max_position_embeddings=64, sliding_window=16)
    return Gemma3TextConfig(**{**values, **overrides})


def chinese_clip(vision_hidden: int = 16, **vision):
    from transformers import ChineseCLIPConfig

    return ChineseCLIPConfig(
        text_config=dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=32),
        vision_config=dict(hidden_size=vision_hidden, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=16, **vision),
        projection_dim=8)


def save(model, folder: Path, **kwargs) -> Path:
    import torch

    torch.manual_seed(0)
    model.save_pretrained(folder, **kwargs)
    return folder


def causal_lm(config):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_config(config)


def copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


def edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    for key, value in changes.items():
        where = data
        *parents, last = key.split("__")
        for parent in parents:
            where = where[parent]
        where[last] = value
    path.write_text(json.dumps(data))


def state_dict(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(folder / "model.safetensors")


def resave(folder: Path, tensors: dict) -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in tensors.items()}, folder / "model.safetensors", metadata={"format": "pt"})


def lfs_pointer(path: Path) -> None:
    size = path.stat().st_size
    path.write_text("version https://git-lfs.github.com/spec/v1\n"
                    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                    f"size {size}\n")


def header_only(path: Path, shapes: dict[str, tuple[int, ...]], dtype: str = "BF16") -> None:
    """A safetensors file with a real header and a sparse data section of the declared size."""
    width = {"BF16": 2, "F16": 2, "F32": 4}[dtype]
    header, offset = {}, 0
    for name, shape in shapes.items():
        count = 1
        for dim in shape:
            count *= dim
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + count * width]}
        offset += count * width
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        f.truncate(8 + len(raw) + offset)


def meta_shapes(config) -> dict[str, tuple[int, ...]]:
    """Parameter shapes of the model a config describes, built on the meta device."""
    import torch
    from transformers import AutoModel

    with torch.device("meta"):
        model = AutoModel.from_config(config)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def write_yaml(path: Path, **values) -> Path:
    lines = [f"{k}: {json.dumps(v) if not isinstance(v, str) else v}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


# --- damage, as users' artifacts get damaged -------------------------------------------------------

def drop_layers(folder: Path, *indices: int) -> Path:
    """Re-save a model without some layers, as an interrupted save leaves it."""
    prefixes = tuple(f"model.layers.{i}." for i in indices)
    resave(folder, {k: v for k, v in state_dict(folder).items() if not k.startswith(prefixes)})
    return folder


def delete_last_shard(folder: Path) -> Path:
    last = max(folder.glob("model-*.safetensors"))
    last.unlink()
    return last


def with_prefix(folder: Path, file: Path, prefix: str = "module.") -> Path:
    """Save a model's state dict to one file with every key prefixed (DDP's ``module.``)."""
    from safetensors.torch import save_file

    save_file({prefix + k: v for k, v in state_dict(folder).items()}, file)
    return file


def resized_vocab(folder: Path, rows: int = 80) -> Path:
    """A tiny Qwen2 whose embeddings were resized to ``rows`` while config.json still says 64."""
    model = causal_lm(qwen2())
    model.resize_token_embeddings(rows)
    save(model, folder)
    edit_json(folder / "config.json", vocab_size=64)
    return folder


def widened_chinese_clip(folder: Path) -> Path:
    """A tiny Chinese-CLIP saved 16 wide whose config then says its vision tower is 32 wide."""
    from transformers import ChineseCLIPModel

    save(ChineseCLIPModel(chinese_clip()), folder)
    edit_json(folder / "config.json", vision_config__hidden_size=32)
    return folder


def zero3_partitions(folder: Path) -> Path:
    """Every tensor saved as ZeRO-3 leaves it without gathering: shape [0]."""
    import torch

    resave(folder, {k: torch.empty(0) for k in state_dict(folder)})
    return folder

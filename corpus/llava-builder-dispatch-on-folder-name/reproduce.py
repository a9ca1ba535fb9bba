"""LLaVA's ``load_pretrained_model`` (haotian-liu/LLaVA ``llava/model/builder.py``, here from ``llava-torch`` 1.2.2.post1,
the PyPI release of that repository) decides from the model NAME, derived from the folder by
``get_model_name_from_path``, whether to load the vision tower and its image processor. A tiny LLaVA checkpoint (a
Llama of hidden size 16 with a local two-layer CLIP vision tower, built from configs) saved in
``checkpoints/vicuna-7b-mytask`` loads with ``image_processor = None``, and the first image fails in
``llava/mm_utils.py`` ``process_images``: ``AttributeError: 'NoneType' object has no attribute 'image_mean'``.

fixed(): fix 0, the same checkpoint reached through a folder whose name contains ``llava``
(``checkpoints/llava-v1.5-7b-mytask``, a symlink), and fix 1, the original folder with ``model_name="llava-v1.5-7b"``
passed to the builder: both return a CLIPImageProcessor and ``process_images`` returns pixel values.

llava-torch pins transformers 4.36.2, and its model classes need a transformers of that time, so the reproducer needs
llava-torch with transformers 4.36.x-4.37.x (verified with 4.36.2) and Pillow, as a PYTHONPATH overlay
(scripts/verify.py --overlays); elsewhere REQUIRES names a module that cannot exist and the test skips it. The
tokenizer is a byte-level GPT-2 one written here (LLaVA's builder asks for a slow tokenizer). Nothing downloads.
"""

import os

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("llava-torch==1.2.2.post1", "transformers==4.36.2", "tokenizers==0.15.2", "huggingface_hub==0.24.7",
           "accelerate==0.27.2", "pillow==11.3.0")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_llava_with_transformers_4_36_to_4_37"
REQUIRES = ("torch", "transformers", "accelerate", "llava", "PIL") + (
    () if release_within("transformers", (4, 36), (4, 38)) else (OLD,))
FIXES = (0, 1)

_WORK = {}


def _checkpoint():
    """A tiny LLaVA-1.5 checkpoint in ``<tmp>/checkpoints/vicuna-7b-mytask`` (a folder name without "llava")."""
    if "model" in _WORK:
        return _WORK["model"]
    import atexit
    import json
    import shutil
    import tempfile

    import torch
    from llava.model import LlavaConfig, LlavaLlamaForCausalLM
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel, GPT2Tokenizer
    from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode

    os.environ["HF_HUB_OFFLINE"] = "1"
    work = tempfile.mkdtemp(prefix="kbfix-llava-")
    atexit.register(shutil.rmtree, work, True)
    torch.manual_seed(0)
    clip = os.path.join(work, "clip-vit-tiny")
    CLIPVisionModel(CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     image_size=28, patch_size=14, projection_dim=16)).save_pretrained(clip)
    CLIPImageProcessor(size={"shortest_edge": 28}, crop_size={"height": 28, "width": 28}).save_pretrained(clip)
    config = LlavaConfig(vocab_size=300, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64,
                         mm_vision_tower=clip, mm_hidden_size=16, mm_projector_type="mlp2x_gelu",
                         mm_vision_select_layer=-2, mm_vision_select_feature="patch", image_aspect_ratio="pad",
                         mm_use_im_start_end=False, mm_use_im_patch_token=False)
    model_dir = os.path.join(work, "checkpoints", "vicuna-7b-mytask")
    LlavaLlamaForCausalLM(config).save_pretrained(model_dir)
    vocab = {ch: i for i, ch in enumerate(bytes_to_unicode().values())}
    vocab["<|endoftext|>"] = len(vocab)
    with open(os.path.join(work, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f)
    with open(os.path.join(work, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
    GPT2Tokenizer(os.path.join(work, "vocab.json"), os.path.join(work, "merges.txt")).save_pretrained(model_dir)
    _WORK["model"] = model_dir
    return model_dir


def _answer_image(model_path, model_name=None):
    """What llava.serve.cli / run_llava do before the first answer: load, then preprocess the image."""
    from llava.mm_utils import get_model_name_from_path, process_images
    from llava.model.builder import load_pretrained_model
    from PIL import Image

    name = model_name or get_model_name_from_path(model_path)
    tokenizer, model, image_processor, context_len = load_pretrained_model(model_path, None, name, device="cpu")
    image = Image.new("RGB", (40, 30), (120, 30, 200))
    pixels = process_images([image], image_processor, model.config)
    return f"{name}: {type(image_processor).__name__}, pixel values {tuple(pixels.shape)}"


def reproduce():
    _answer_image(_checkpoint())          # raises in llava/mm_utils.py process_images
    raise AssertionError("the image was processed although the folder name has no 'llava'")


def fixed():
    model_dir = _checkpoint()
    renamed = os.path.join(os.path.dirname(model_dir), "llava-v1.5-7b-mytask")   # fix 0: a name with "llava"
    if not os.path.exists(renamed):
        os.symlink(model_dir, renamed)
    shown = [_answer_image(renamed),
             _answer_image(model_dir, model_name="llava-v1.5-7b")]              # fix 1: the name passed in
    assert all("CLIPImageProcessor, pixel values (1, 3, 28, 28)" in s for s in shown), shown
    return "\n".join(shown)

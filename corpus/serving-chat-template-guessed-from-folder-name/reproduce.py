"""lmdeploy 0.5.3 picks a vision-language model's chat template from its PATH. A fine-tuned LLaVA-1.5 saved as
``output/checkpoint-1000-merged`` (a folder with a LLaVA ``config.json``, ``LlavaLlamaForCausalLM``) matches no
template: ``best_match_model`` warns ``Did not find a chat template matching ...`` and returns ``base``, and
``get_vl_prompt_template`` (``lmdeploy/vl/templates.py``) raises ``AssertionError: failed to match chat template,
please explicit set chat_template_config``.

``pipeline()`` / ``VLAsyncEngine`` first load the vision encoder and build the TurboMind or PyTorch engine, which need
a CUDA GPU, so this runs the CPU-only steps of their constructors in the same order with lmdeploy's own functions:
``AsyncEngine.__init__``'s template selection (``deduce_a_name``, ``MODELS``, ``best_match_model``,
``ChatTemplateConfig(...).chat_template``), then ``VLAsyncEngine.__init__``'s ``get_vl_prompt_template``. The library's
choice and its assertion are real; the GPU parts in between do not take part in the choice.

fixed(): fix 0, ``chat_template_config=ChatTemplateConfig(model_name="vicuna")`` (LLaVA-1.5's template), and fix 1,
the same folder reached as ``output/llava-v1.5-7b-sft-merged`` (a symlink): both get LLaVA's VL template wrapper.

The assertion exists in lmdeploy 0.5.3-0.6.x; this needs lmdeploy 0.5.x (verified with 0.5.3) with mmengine-lite
and Pillow as a PYTHONPATH overlay (scripts/verify.py --overlays); elsewhere REQUIRES names a module that cannot exist
and the test skips it. Nothing downloads.
"""

import os

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("lmdeploy==0.5.3", "mmengine-lite==0.10.4", "addict==2.4.0", "yapf==0.43.0", "termcolor==3.3.0",
           "pillow==11.3.0")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_lmdeploy_0_5_3_to_0_5_x"
REQUIRES = ("torch", "transformers", "lmdeploy", "mmengine", "PIL") + (
    () if release_within("lmdeploy", (0, 5, 3), (0, 6)) else (OLD,))
FIXES = (0, 1)

_WORK = {}


def _checkpoint():
    """A merged LLaVA-1.5 fine-tune in ``<tmp>/output/checkpoint-1000-merged``: the config is all the choice reads."""
    if "model" not in _WORK:
        import atexit
        import json
        import shutil
        import tempfile

        work = tempfile.mkdtemp(prefix="kbfix-lmdeploy-")
        atexit.register(shutil.rmtree, work, True)
        folder = os.path.join(work, "output", "checkpoint-1000-merged")
        os.makedirs(folder)
        config = {"architectures": ["LlavaLlamaForCausalLM"], "model_type": "llava_llama", "hidden_size": 4096,
                  "mm_vision_tower": "openai/clip-vit-large-patch14-336", "image_aspect_ratio": "pad"}
        with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f)
        _WORK["model"] = folder
    return _WORK["model"]


def _vl_prompt_template(model_path, chat_template_config=None):
    """VLAsyncEngine(model_path, chat_template_config=...)'s template choice, lmdeploy 0.5.x, minus the GPU parts."""
    from lmdeploy.model import MODELS, ChatTemplateConfig, best_match_model
    from lmdeploy.serve.async_engine import deduce_a_name
    from lmdeploy.vl.templates import get_vl_prompt_template

    model_name = deduce_a_name(model_path, None, None, chat_template_config)        # AsyncEngine.__init__
    if model_name in MODELS.module_dict.keys():
        chat_template_name = model_name
    else:
        chat_template_name = best_match_model(model_path)
    if chat_template_config is None:
        chat_template_config = ChatTemplateConfig(chat_template_name)
    elif chat_template_config.model_name is None:
        chat_template_config.model_name = chat_template_name
    chat_template = chat_template_config.chat_template
    wrapper = get_vl_prompt_template(model_path, chat_template, model_name)         # VLAsyncEngine.__init__
    return f"{os.path.basename(model_path)}: template {chat_template_name}, {type(wrapper).__name__}"


def reproduce():
    _vl_prompt_template(_checkpoint())     # raises in lmdeploy/vl/templates.py get_vl_prompt_template
    raise AssertionError("a chat template was matched for a folder named checkpoint-1000-merged")


def fixed():
    from lmdeploy.model import ChatTemplateConfig

    folder = _checkpoint()
    renamed = os.path.join(os.path.dirname(folder), "llava-v1.5-7b-sft-merged")   # fix 1: the model's name in the path
    if not os.path.exists(renamed):
        os.symlink(folder, renamed)
    shown = [_vl_prompt_template(folder, ChatTemplateConfig(model_name="vicuna")),   # fix 0: the template named
             _vl_prompt_template(renamed)]
    assert all(s.endswith("LlavaVLChatTemplateWrapper") for s in shown), shown
    return "\n".join(shown)

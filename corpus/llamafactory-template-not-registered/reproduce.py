"""A LoRA adapter trained on a Qwen2-style model is tried with ``llamafactory-cli chat`` and a config that says
``template: qwen2`` (as in LlamaFactory#5453, there for ``export``, which resolves the template the same way):
LLaMA-Factory registers the Qwen2 / Qwen2.5 chat template as ``qwen``, so the chat engine stops at
``get_template_and_fix_tokenizer`` with its real ``ValueError: Template qwen2 does not exist.``, before loading the model.
fixed() applies fix 1 (the name the template is registered under, ``qwen``): the same config loads the model with
its adapter and answers a message.

A tiny model, a word-level tokenizer and a real adapter built here, in temporary folders; nothing is downloaded.
LLaMA-Factory checks its dependency versions when it is imported, so this runs in an overlay of the releases it was
verified with (0.9.3 and the transformers / peft / trl / datasets / accelerate it accepts); elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, llamafactory_requires

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = LLAMAFACTORY_OVERLAY
# the ValueError (not the AssertionError of llmtuner) and the `llamafactory` package from 0.7; verified with 0.9.3
REQUIRES = llamafactory_requires(("torch", "transformers", "peft", "llamafactory"), (0, 7), (4, 41))
FIXES = (1,)


def _trained_lora(root):
    """A base model folder (model and tokenizer) and the LoRA adapter a finished run saved for it."""
    from peft import LoraConfig, get_peft_model

    from kbfix.reproduce import tiny_llama, word_tokenizer

    base = os.path.join(root, "base")
    adapter = os.path.join(root, "saves", "lora", "sft")
    model = tiny_llama()
    model.save_pretrained(base)
    word_tokenizer("what is the answer four".split()).save_pretrained(base)
    get_peft_model(model, LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"])).save_pretrained(adapter)
    return base, adapter


def _chat_model(root, template):
    """What ``llamafactory-cli chat chat.yaml`` builds (the same dict as the YAML), on the Transformers engine."""
    from llamafactory.chat import ChatModel

    os.environ["HF_HUB_OFFLINE"] = "1"
    base, adapter = _trained_lora(root)
    return ChatModel({"model_name_or_path": base, "adapter_name_or_path": adapter, "template": template,
                      "finetuning_type": "lora", "infer_backend": "huggingface", "max_new_tokens": 4})


def reproduce():
    with tempfile.TemporaryDirectory() as root:
        _chat_model(root, "qwen2")      # named after the model; LLaMA-Factory calls the template qwen


def fixed():
    from llamafactory.data.template import TEMPLATES

    assert "qwen2" not in TEMPLATES and "qwen" in TEMPLATES
    with tempfile.TemporaryDirectory() as root:
        chat = _chat_model(root, "qwen")        # fix 1: the registered name
        responses = chat.chat([{"role": "user", "content": "what is the answer"}])
    assert len(responses) == 1, responses
    return f"template qwen: the model with its adapter loaded and answered ({responses[0].finish_reason})\n"

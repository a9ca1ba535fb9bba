"""A sharegpt example with one image and no <image> tag, tokenized by LLaMA-Factory 0.9.3's llava template plugin.

LLaMA-Factory is not installed in this environment: OVERLAY names the releases ``scripts/verify.py --overlays``
installs aside (llamafactory's import pulls in trl; its image loading needs Pillow). The processor is a real
LlavaProcessor built from a tiny in-memory tokenizer and a CLIP image processor: nothing is downloaded.
fixed() applies fix 0: one <image> placeholder per image in the user turn.
"""

OVERLAY = ("llamafactory==0.9.3", "trl==0.19.1", "pillow==11.2.1")
REQUIRES = ("torch", "transformers", "llamafactory", "trl", "PIL")
FIXES = (0,)

IMAGES = 1


def _processor():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import CLIPImageProcessor, LlavaProcessor, PreTrainedTokenizerFast

    words = ["<unk>", "<image>", "describe", "the", "picture", "a", "red", "square", "."]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", additional_special_tokens=["<image>"])
    image_processor = CLIPImageProcessor(size={"shortest_edge": 28}, crop_size={"height": 28, "width": 28})
    return LlavaProcessor(image_processor=image_processor, tokenizer=tokenizer, patch_size=14,
                          vision_feature_select_strategy="default")


def _tokenize(user_content):
    from PIL import Image
    from llamafactory.data.template import TEMPLATES

    plugin = TEMPLATES["llava"].mm_plugin  # the plugin the `template: llava` dataset preprocessing uses
    images = [Image.new("RGB", (56, 56), "red") for _ in range(IMAGES)]
    messages = [{"role": "user", "content": user_content}, {"role": "assistant", "content": "A red square."}]
    return plugin.process_messages(messages, images, [], [], _processor())


def reproduce():
    # {"messages": [{"role": "user", "content": "Describe the picture."}, ...], "images": ["red.png"]}: no <image> tag
    _tokenize("Describe the picture.")


def fixed():
    # fix 0: one <image> per entry of "images"
    messages = _tokenize("<image>" * IMAGES + "Describe the picture.")
    assert "<image>" in messages[0]["content"], messages
    print(messages)

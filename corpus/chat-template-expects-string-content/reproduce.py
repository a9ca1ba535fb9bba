"""A text-only ChatML template (content joined with "+") rendered with list-of-parts message content."""

REQUIRES = ("tokenizers", "transformers", "jinja2")
FIXES = (0, 1, 2)

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# a template that iterates content parts, like the processor templates of VL models
PARTS = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}{{ '<image>' }}{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{{ '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
MESSAGES = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "describe it"}]}]


def _tokenizer(template):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<|im_start|>", "<|im_end|>", "<image>", "user", "assistant", "describe", "it"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>",
                                        additional_special_tokens=["<|im_start|>", "<|im_end|>", "<image>"])
    tokenizer.chat_template = template
    return tokenizer


def _flatten(messages):
    out = []
    for m in messages:
        content = m["content"]
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if part.get("type") == "text")
        out.append({**m, "content": content})
    return out


def reproduce():
    _tokenizer(CHATML).apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)


def fixed():
    # fix 0: a text-only model gets string content
    text = _tokenizer(CHATML).apply_chat_template(_flatten(MESSAGES), tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\ndescribe it<|im_end|>\n<|im_start|>assistant\n", text
    # fixes 1 and 2: a template that iterates the parts (the VL processor's, or one given to the tokenizer)
    text = _tokenizer(PARTS).apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\n<image>describe it<|im_end|>\n<|im_start|>assistant\n", text

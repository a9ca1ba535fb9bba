"""Ask the real ``apply_chat_template`` for the assistant mask with a template that has no markers.

The tokenizer is built from a tiny word-level vocabulary (no download); its template is ChatML as the
stock Qwen templates write it, with no ``{% generation %}`` block. transformers logs
``return_assistant_tokens_mask==True but chat template does not contain `{% generation %}` keyword.``
and the mask is all zeros (what makes TRL's ``assistant_only_loss=True`` raise). With the assistant
output wrapped in ``{% generation %}`` ... ``{% endgeneration %}`` the mask marks the reply and the
rendered text is unchanged.
"""

REQUIRES = ("transformers", "tokenizers", "jinja2")
FIXES = (0,)

STOCK = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

MARKED = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\n' }}"
    "{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}{{ '\n' }}"
    "{% else %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

ROW = [
    {"role": "user", "content": "capital of France ?"},
    {"role": "assistant", "content": "Paris ."},
]


def _tokenizer(template):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<|im_start|>", "<|im_end|>", "user", "assistant", "capital", "of", "France", "?", "Paris", "."]
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", eos_token="<|im_end|>")
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tok.chat_template = template
    return tok


def _mask(template):
    out = _tokenizer(template).apply_chat_template(
        ROW, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    return list(out["assistant_masks"])


def reproduce():
    import io
    import logging

    from transformers.utils import logging as hf_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = hf_logging.get_logger("transformers")
    logger.addHandler(handler)
    try:
        mask = _mask(STOCK)
    finally:
        logger.removeHandler(handler)
    assert 1 not in mask, mask
    return stream.getvalue() + f"assistant_masks: {mask}\n"


def fixed():
    mask = _mask(MARKED)
    assert 1 in mask, mask
    stock = _tokenizer(STOCK).apply_chat_template(ROW, tokenize=False)
    marked = _tokenizer(MARKED).apply_chat_template(ROW, tokenize=False)
    assert stock == marked, (stock, marked)

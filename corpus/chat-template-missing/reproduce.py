"""apply_chat_template on a tiny tokenizer that, like a base-model tokenizer, ships without a chat template."""

REQUIRES = ("tokenizers", "transformers", "jinja2")
FIXES = (0, 1)

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]


def _base_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<|im_start|>", "<|im_end|>", "system", "user", "assistant", "be", "brief", "hello"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>",
                                   additional_special_tokens=["<|im_start|>", "<|im_end|>"])


def reproduce():
    _base_tokenizer().apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)


def fixed():
    tokenizer = _base_tokenizer()
    tokenizer.chat_template = CHATML  # fix 0: give the tokenizer the template the model was trained with
    text = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n"), text
    # fix 1: pass the template explicitly for one call
    same = _base_tokenizer().apply_chat_template(MESSAGES, chat_template=CHATML, tokenize=False,
                                                 add_generation_prompt=True)
    assert same == text

"""Render a conversation with a Gemma-style chat template through the real ``apply_chat_template``.

The tokenizer is built from a tiny word-level vocabulary (no download); the template is the shape of
Gemma's: no system role, and turns must alternate user/assistant. A dataset row with two user turns in a
row makes the template raise ``jinja2.exceptions.TemplateError: Conversation roles must alternate
user/assistant/user/assistant/...``; after normalising the messages it renders.
"""

REQUIRES = ("transformers", "tokenizers", "jinja2")
FIXES = (0,)

TEMPLATE = (
    "{{ bos_token }}"
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}"
    "{{ '<start_of_turn>' + ('model' if message['role'] == 'assistant' else message['role']) + '\n'"
    " + message['content'] + '<end_of_turn>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)

ROW = [
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "Paris."},
    {"role": "user", "content": "And of Italy?"},
    {"role": "user", "content": "Answer in one word."},
]


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.WordLevel({"<unk>": 0, "<bos>": 1, "<eos>": 2}, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<bos>", eos_token="<eos>", unk_token="<unk>")
    tok.chat_template = TEMPLATE
    return tok


def _normalize(messages):
    out, system = [], ""
    for m in messages:
        if m["role"] == "system":
            system += m["content"] + "\n\n"
            continue
        if out and out[-1]["role"] == m["role"]:
            out[-1] = {"role": m["role"], "content": out[-1]["content"] + "\n\n" + m["content"]}
        else:
            out.append(dict(m))
    if system and out and out[0]["role"] == "user":
        out[0]["content"] = system + out[0]["content"]
    return out


def reproduce():
    _tokenizer().apply_chat_template(ROW, tokenize=False)


def fixed():
    tok = _tokenizer()
    text = tok.apply_chat_template(_normalize(ROW), tokenize=False, add_generation_prompt=True)
    assert "And of Italy?\n\nAnswer in one word." in text
    with_system = [{"role": "system", "content": "Be brief."}] + ROW[:1]
    assert "Be brief." in tok.apply_chat_template(_normalize(with_system), tokenize=False)

"""A hand-written streaming loop in the style of ChatGLM3 / GLM-4's ``stream_generate`` and InternLM's
``generate_interactive``: it builds the stopping criteria (and logits processors) itself with the model's private
helpers instead of calling ``generate()``. From transformers 4.43 those helpers read
``generation_config._eos_token_tensor``, which only ``_prepare_special_tokens`` sets, so the loop fails with
``AttributeError: 'GenerationConfig' object has no attribute '_eos_token_tensor'`` in ``_get_stopping_criteria``
(the installed transformers; 4.43-4.4x also fail in ``_get_logits_processor``).

A tiny Llama (hidden size 32, one layer) is built from a config; the loop greedily decodes three tokens.
fixed(): fix 0, the same loop calling ``model._prepare_special_tokens(...)`` first, as generate() does.
Nothing downloads.
"""

from kbfix.reproduce import release_within

# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_transformers_4_43_or_later"
REQUIRES = ("torch", "transformers") + (() if release_within("transformers", (4, 43)) else (OLD,))
FIXES = (0,)


def _stream(prepare: bool) -> str:
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM
    from transformers.generation import LogitsProcessorList, StoppingCriteriaList

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=2, eos_token_id=2)).eval()
    input_ids = torch.tensor([[1, 5, 7, 9]])
    generation_config = GenerationConfig(max_new_tokens=3, eos_token_id=2, pad_token_id=0)
    generation_config.max_length = input_ids.shape[1] + generation_config.max_new_tokens
    if prepare:
        model._prepare_special_tokens(generation_config, kwargs_has_attention_mask=True, device=input_ids.device)
    stopping_criteria = model._get_stopping_criteria(generation_config=generation_config,
                                                     stopping_criteria=StoppingCriteriaList())
    processors = LogitsProcessorList()
    with torch.no_grad():
        while True:
            scores = processors(input_ids, model(input_ids).logits[:, -1, :])
            input_ids = torch.cat([input_ids, scores.argmax(-1, keepdim=True)], dim=-1)
            if stopping_criteria(input_ids, scores).all():
                break
    return f"streamed {input_ids.shape[1]} tokens"


def reproduce():
    return _stream(prepare=False)


def fixed():
    return _stream(prepare=True)

"""Build a tiny T5ForConditionalGeneration from a config (no download), wrap it with a LoRA adapter
(get_peft_model, task SEQ_2_SEQ_LM, so the wrapper is PeftModelForSeq2SeqLM) and call generate() with the input ids
as a positional argument, as generation scripts written for a plain transformers model do:
PeftModelForSeq2SeqLM.generate takes keyword arguments only (def generate(self, **kwargs), every peft release;
PeftModelForCausalLM was the same before peft 0.8.2), so Python raises
"TypeError: PeftModelForSeq2SeqLM.generate() takes 1 positional argument but 2 were given".

fixed() (fix 0) passes the same ids as input_ids=..., which PEFT forwards to the base model's generate().
"""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _peft_model():
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    config = T5Config(vocab_size=64, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_decoder_layers=1, num_heads=2,
                      decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    base = T5ForConditionalGeneration(config).eval()
    lora = LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, r=4, lora_alpha=8, target_modules=["q", "v"])
    return get_peft_model(base, lora)


def _ids():
    import torch

    return torch.tensor([[5, 6, 7, 1]])


def reproduce():
    model = _peft_model()
    return model.generate(_ids(), max_new_tokens=3)       # TypeError: takes 1 positional argument but 2 were given


def fixed():
    model = _peft_model()
    out = model.generate(input_ids=_ids(), max_new_tokens=3)
    assert out.shape[0] == 1 and out.shape[1] >= 2, out.shape
    return None

"""A tiny Llama (built from a config, no download) under a class name that no transformers mapping lists, as a
trust_remote_code class (QWenLMHeadModel, RWForCausalLM) or a wrapper's class carries, given to
pipeline("text-generation"). transformers' Pipeline.check_model_type logs "The model 'RemoteCodeLlamaForCausalLM' is
not supported for text-generation. Supported models are [...]", and the pipeline then generates normally.

reproduce() returns what transformers logged plus the pipeline's output. fixed() applies fix 0 (nothing was wrong):
the same pipeline ran to the end and returned generated text longer than the prompt.
"""

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0,)

WORDS = "hello world how are you today fine thanks".split()


def _pipeline_run():
    import io
    import logging
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, pipeline
    from transformers.utils import logging as hf_logging

    class RemoteCodeLlamaForCausalLM(LlamaForCausalLM):
        """Stands for a class loaded with trust_remote_code: same code, a name no auto mapping lists."""

    vocab = {"[PAD]": 0, "[UNK]": 1, "<s>": 2, "</s>": 3, **{w: i + 4 for i, w in enumerate(WORDS)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]",
                                        bos_token="<s>", eos_token="</s>")
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                         bos_token_id=2, eos_token_id=3, pad_token_id=0)
    model = RemoteCodeLlamaForCausalLM(config).eval()

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    hf_logging.disable_default_handler()
    hf_logging.add_handler(handler)
    try:
        pipe = pipeline("text-generation", model=model, tokenizer=tokenizer, device="cpu")
        out = pipe("hello world", max_new_tokens=5, do_sample=False)
    finally:
        hf_logging.remove_handler(handler)
        hf_logging.enable_default_handler()
    return stream.getvalue(), out


def reproduce():
    log, out = _pipeline_run()
    assert "is not supported for text-generation" in log, log
    return log + str(out) + "\n"


def fixed():
    log, out = _pipeline_run()
    text = out[0]["generated_text"]
    assert text.startswith("hello world") and len(text.split()) > 2, out   # it generated: the line was harmless
    return str(out)

"""LoRA on lm_head of a tiny Gemma whose lm_head is tied to embed_tokens; PEFT warns about the tied layer."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _tiny_gemma():
    from transformers import GemmaConfig, GemmaForCausalLM

    config = GemmaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=8, tie_word_embeddings=True)
    return GemmaForCausalLM(config)


def _peft_warnings(**lora_kwargs):
    """Wrap the model with a real LoraConfig, save the adapter and merge it; return what PEFT warned."""
    import tempfile
    import warnings

    from peft import LoraConfig, get_peft_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = get_peft_model(_tiny_gemma(), LoraConfig(r=4, lora_alpha=8, **lora_kwargs))
        with tempfile.TemporaryDirectory() as out:
            model.save_pretrained(out)
        model.merge_and_unload()
    return "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
        for w in caught
        if "deprecated" not in str(w.message)  # unrelated transformers FutureWarning
    )


def reproduce():
    return _peft_warnings(target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "lm_head"])


def fixed():
    text = _peft_warnings(target_modules="all-linear")  # all-linear never includes the output layer
    text += _peft_warnings(target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    assert "tie_word_embeddings" not in text and "save_embedding_layers" not in text, text
    return text

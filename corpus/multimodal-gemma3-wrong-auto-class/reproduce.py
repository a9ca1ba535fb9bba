"""Save a tiny multimodal Gemma 3 checkpoint, then load it with the text-only Gemma3ForCausalLM."""

import io
import logging
import tempfile

REQUIRES = ("torch", "transformers")
FIXES = (0, 1)


def _checkpoint():
    import torch
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    torch.manual_seed(0)
    config = Gemma3Config(
        text_config=dict(vocab_size=300, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=8, sliding_window=8,
                         bos_token_id=2, eos_token_id=1, pad_token_id=0),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=16, patch_size=4),
        mm_tokens_per_image=4, image_token_index=299, boi_token_index=297, eoi_token_index=298)
    folder = tempfile.mkdtemp(prefix="gemma-3-tiny-it-")
    Gemma3ForConditionalGeneration(config).save_pretrained(folder)
    return folder


def _capture_transformers_log(load):
    """Run load() and return what transformers logs (the load report goes through logging)."""
    logger = logging.getLogger("transformers")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[transformers] %(message)s"))
    logger.addHandler(handler)
    try:
        model = load()
    finally:
        logger.removeHandler(handler)
    return model, buffer.getvalue()


def reproduce():
    from transformers import Gemma3ForCausalLM

    folder = _checkpoint()
    _, log = _capture_transformers_log(lambda: Gemma3ForCausalLM.from_pretrained(folder))
    return log  # no exception: every language-model weight is reported MISSING and left random


def fixed():
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForImageTextToText

    folder = _checkpoint()
    model, log = _capture_transformers_log(lambda: AutoModelForImageTextToText.from_pretrained(folder))
    assert type(model).__name__ == "Gemma3ForConditionalGeneration", type(model)
    assert "MISSING" not in log and "UNEXPECTED" not in log, log
    saved = load_file(f"{folder}/model.safetensors")
    key = next(k for k in saved if k.endswith("layers.0.self_attn.q_proj.weight"))
    assert torch.equal(model.get_decoder().layers[0].self_attn.q_proj.weight, saved[key])

    # fix 1: a text-only Gemma3ForCausalLM built from the multimodal model's language model
    from transformers import Gemma3ForCausalLM

    text_lm = Gemma3ForCausalLM(model.config.get_text_config())
    text_lm.model.load_state_dict(model.model.language_model.state_dict())
    text_lm.lm_head.load_state_dict(model.lm_head.state_dict())
    ids = torch.tensor([[2, 10, 11, 12]])
    with torch.no_grad():
        assert torch.allclose(text_lm.eval()(input_ids=ids).logits, model.eval()(input_ids=ids).logits, atol=1e-5)
    return log

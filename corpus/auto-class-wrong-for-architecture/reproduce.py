"""Save a tiny T5 (encoder-decoder) checkpoint, then load it with AutoModelForCausalLM.

T5 has no causal-LM class, so MODEL_FOR_CAUSAL_LM_MAPPING has no entry for T5Config and the real
_BaseAutoModelClass.from_pretrained raises ``ValueError: Unrecognized configuration class <class
'transformers.models.t5.configuration_t5.T5Config'> for this kind of AutoModel: AutoModelForCausalLM``.
fixed() applies fix 0: the Auto class whose table holds T5 (AutoModelForSeq2SeqLM), found from the
checkpoint's own config, loads the same weights and generates. CPU only, nothing downloaded.
"""

import tempfile

REQUIRES = ("torch", "transformers")
FIXES = (0,)


def _checkpoint():
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    config = T5Config(vocab_size=64, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_decoder_layers=1,
                      num_heads=2, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    folder = tempfile.mkdtemp(prefix="flan-t5-tiny-")
    T5ForConditionalGeneration(config).save_pretrained(folder)
    return folder


def reproduce():
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(_checkpoint())     # raises the real ValueError


def fixed():
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSeq2SeqLM
    from transformers.models.auto import modeling_auto

    folder = _checkpoint()
    config = AutoConfig.from_pretrained(folder)
    # how to find the right class: the mappings that know this model type
    tables = [n for n in dir(modeling_auto) if n.endswith("_MAPPING_NAMES") and config.model_type in getattr(modeling_auto, n)]
    assert "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES" in tables, tables
    assert "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES" not in tables, tables

    model = AutoModelForSeq2SeqLM.from_pretrained(folder)
    assert type(model).__name__ in config.architectures, (type(model).__name__, config.architectures)
    saved = load_file(f"{folder}/model.safetensors")
    key = "encoder.block.0.layer.0.SelfAttention.q.weight"
    assert torch.equal(model.state_dict()[key], saved[key])
    out = model.generate(torch.tensor([[5, 6, 7, 1]]), max_new_tokens=3, do_sample=False)
    assert out.shape[0] == 1
    return f"{type(model).__name__} loaded from {folder} with AutoModelForSeq2SeqLM; mappings: {', '.join(tables)}"

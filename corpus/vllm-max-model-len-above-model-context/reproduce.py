"""A fine-tuned model whose config.json declares 2048 positions (a Qwen2-architecture config, as a fine-tune saved with a
short-context config carries), started with vLLM and max_model_len=8192: vLLM's engine config derives 2048 from
max_position_embeddings and refuses the longer length with "User-specified max_model_len (8192) is greater than the
derived max_model_len (max_position_embeddings=2048.0 or model_max_length=None in model's config.json)" (vLLM 0.34
wraps it in pydantic's ValidationError of ModelConfig). fixed() applies fix 0: the same engine config with
max_model_len=2048.

Only config.json is written (no weights: load_format="dummy", no tokenizer); nothing is downloaded and nothing runs on a
GPU. vLLM is not installed in the test environment: this runs in the overlay of vllm 0.34.0 that the other vLLM engine
reproducers use (installed without dependencies, imported with its CPU platform); elsewhere the test skips it.
"""

import tempfile

from kbfix.reproduce import VLLM_ENGINE_OVERLAY, VLLM_ENGINE_REQUIRES, import_vllm_on_cpu, release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = VLLM_ENGINE_OVERLAY
REQUIRES = VLLM_ENGINE_REQUIRES + (() if release_within("vllm", (0, 34), (0, 35)) else ("kbfix_requires_vllm_0_34",))
FIXES = (0,)


def _model_folder(folder):
    from transformers import Qwen2Config

    Qwen2Config(hidden_size=256, intermediate_size=64, num_attention_heads=4, num_key_value_heads=4,
                num_hidden_layers=2, vocab_size=128, max_position_embeddings=2048, torch_dtype="bfloat16",
                architectures=["Qwen2ForCausalLM"]).save_pretrained(folder)
    return folder


def _engine_config(folder, max_model_len):
    import_vllm_on_cpu()
    from vllm.engine.arg_utils import EngineArgs

    return EngineArgs(model=folder, skip_tokenizer_init=True, load_format="dummy",
                      max_model_len=max_model_len).create_engine_config()


def reproduce():
    with tempfile.TemporaryDirectory() as folder:
        _engine_config(_model_folder(folder), 8192)


def fixed():
    with tempfile.TemporaryDirectory() as folder:
        config = _engine_config(_model_folder(folder), 2048)    # fix 0: within the config's 2048 positions
        assert config.model_config.max_model_len == 2048, config.model_config.max_model_len

"""A ZeRO-3 config whose stage3_prefetch_bucket_size is a fraction, as transformers < 4.45 fills "auto" in
(``0.9 * hidden_size * hidden_size``: 15099494.4 for hidden size 4096): the real DeepSpeed config parser (pydantic v2,
DeepSpeed >= 0.15) on the CPU, one gloo rank, raises ``ValidationError: 1 validation error for DeepSpeedZeroConfig
stage3_prefetch_bucket_size Input should be a valid integer, got a number with a fractional part``.

fixed() applies fix 0 (the installed transformers, >= 4.45, fills "auto" from a tiny Llama's hidden size: an
integer) and fix 1 (an explicit integer in the config); DeepSpeed then accepts both configs.
"""

from kbfix.reproduce import deepspeed_rank, tiny_llama

REQUIRES = ("torch", "transformers", "deepspeed", "accelerate")
FIXES = (0, 1)

HIDDEN = 4096


def _zero3(prefetch):
    return {
        "train_micro_batch_size_per_gpu": 1,
        "gradient_accumulation_steps": 1,
        "zero_optimization": {"stage": 3, "stage3_prefetch_bucket_size": prefetch},
    }


def _parse(config):
    """DeepSpeed's own config parser, as deepspeed.initialize / zero.Init run it; returns the ZeRO prefetch size."""
    import deepspeed
    from deepspeed.runtime.config import DeepSpeedConfig

    deepspeed.init_distributed(dist_backend="gloo")
    return DeepSpeedConfig(config).zero_config.prefetch_bucket_size


def reproduce():
    with deepspeed_rank():
        _parse(_zero3(0.9 * HIDDEN * HIDDEN))   # what transformers <= 4.44 writes for "auto"


def fixed():
    import tempfile

    from transformers import TrainingArguments

    shown = []
    # fix 0: a transformers release that fills "auto" with an integer (4.45+, the installed one)
    with tempfile.TemporaryDirectory() as out, deepspeed_rank():
        model = tiny_llama(vocab=32)
        args = TrainingArguments(out, deepspeed=_zero3("auto"), per_device_train_batch_size=1, use_cpu=True,
                                 report_to=[])
        hf_config = args.hf_deepspeed_config
        hf_config.trainer_config_finalize(args, model, 10)
        filled = hf_config.config["zero_optimization"]["stage3_prefetch_bucket_size"]
        assert isinstance(filled, int), filled
        shown.append(f"fix 0: transformers filled auto -> {filled} (hidden size {model.config.hidden_size}), "
                     f"DeepSpeed parsed {_parse(hf_config.config)}")
    # fix 1: an explicit integer in the DeepSpeed config
    with deepspeed_rank():
        size = _parse(_zero3(int(0.9 * HIDDEN * HIDDEN)))
        shown.append(f"fix 1: integer stage3_prefetch_bucket_size {size} accepted")
    return "\n".join(shown)

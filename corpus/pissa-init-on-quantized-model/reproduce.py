"""PiSSA initialisation (an SVD of each base weight) asked for on a tiny Llama whose q_proj / v_proj weights are
already quantized to int8: PEFT's pissa_init refuses any dtype but float32 / float16 / bfloat16. The fixes run the
PiSSA initialisation on the full-precision model (then quantize the residual model it leaves), or keep the quantized
model with LoRA's default initialisation."""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1)


def _llama(quantized):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64)
    model = LlamaForCausalLM(config)
    if quantized:  # per-row absmax int8, as a weight-only quantizer stores it
        for layer in model.model.layers:
            for name in ("q_proj", "v_proj"):
                linear = getattr(layer.self_attn, name)
                weight = linear.weight.data
                scale = weight.abs().amax(dim=1, keepdim=True) / 127
                linear.weight = torch.nn.Parameter(torch.round(weight / scale).to(torch.int8), requires_grad=False)
    return model


def _lora(init):
    from peft import LoraConfig

    return LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=init)


def reproduce():
    from peft import get_peft_model

    # TypeError: Please initialize PiSSA under float32, float16, or bfloat16. ...
    get_peft_model(_llama(quantized=True), _lora("pissa"))


def fixed():
    import torch
    from peft import get_peft_model

    # fix 0: PiSSA on the full-precision model; its residual weights are what gets quantized afterwards
    model = get_peft_model(_llama(quantized=False), _lora("pissa"))
    ids = torch.tensor([[1, 2, 3]])
    assert model(input_ids=ids).logits.shape == (1, 3, 64)
    # fix 1: keep the quantized model and LoRA's default initialisation (no SVD of the base weight)
    get_peft_model(_llama(quantized=True), _lora(True))

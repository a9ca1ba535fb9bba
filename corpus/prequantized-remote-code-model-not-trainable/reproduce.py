"""A pre-quantized checkpoint loaded by its own remote code, the way Baichuan2-*-4bits' modeling_baichuan.py does it:
its ``from_pretrained`` builds the model, fills the 4-bit weights itself and sets ``model.is_quantized = True``, so the
model says it is quantized but carries no ``hf_quantizer`` (transformers never quantized it). LoRA is attached with
PEFT, as LLaMA-Factory and the Baichuan2 fine-tuning scripts do, and the model is handed to the real Trainer.

The Trainer's quantization check (``validate_quantization_for_training``; inline in ``Trainer.__init__`` in earlier
releases) sees ``is_quantized`` without a trainable ``hf_quantizer`` and, to word its refusal, reads
``model.hf_quantizer.quantization_config.quant_method``: through PEFT's ``__getattr__`` chain that ends in the real
``AttributeError: 'BaichuanForCausalLM' object has no attribute 'hf_quantizer'`` (transformers before 4.38 refused with
"The model you want to train is loaded in 8-bit precision ..." instead). The model here is a tiny stand-in for the
remote-code class (float weights: only the marker matters to the check).

fixed(): fix 0, the full-precision release of the same model (no quantized marker) with the same LoRA adapters: the
Trainer accepts it and trains two steps. CPU only, nothing downloaded.
"""

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)


def _model(prequantized):
    import torch
    from peft import LoraConfig, get_peft_model
    from torch import nn
    from transformers import PretrainedConfig, PreTrainedModel
    from transformers.modeling_outputs import CausalLMOutput

    class BaichuanConfig(PretrainedConfig):
        model_type = "tiny_baichuan"

        def __init__(self, vocab_size=32, hidden_size=8, **kwargs):
            self.vocab_size = vocab_size
            self.hidden_size = hidden_size
            super().__init__(**kwargs)

    class BaichuanForCausalLM(PreTrainedModel):
        config_class = BaichuanConfig

        def __init__(self, config):
            super().__init__(config)
            self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
            self.W_pack = nn.Linear(config.hidden_size, config.hidden_size)
            self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
            self.post_init()

        def _init_weights(self, module):
            pass

        def forward(self, input_ids, labels=None, **kwargs):
            logits = self.lm_head(torch.relu(self.W_pack(self.embed_tokens(input_ids))))
            loss = None
            if labels is not None:
                loss = nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
            return CausalLMOutput(loss=loss, logits=logits)

    torch.manual_seed(0)
    model = BaichuanForCausalLM(BaichuanConfig())
    if prequantized:
        model.is_quantized = True   # what the -4bits remote code's from_pretrained sets after loading its int4 weights
    return get_peft_model(model, LoraConfig(r=2, lora_alpha=4, target_modules=["W_pack"]))


def _trainer(model, output_dir):
    import torch
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=output_dir, max_steps=2, per_device_train_batch_size=2, logging_steps=1,
                             save_strategy="no", report_to="none", use_cpu=True)
    data = [{"input_ids": torch.tensor([1, 2, 3]), "labels": torch.tensor([1, 2, 3])}] * 4
    return Trainer(model=model, args=args, train_dataset=data)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        _trainer(_model(prequantized=True), out)   # raises the real AttributeError in the quantization check


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        model = _model(prequantized=False)          # fix 0: the full-precision checkpoint, LoRA on top
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert trainable > 0
        result = _trainer(model, out).train()
    assert result.global_step == 2 and result.training_loss == result.training_loss, result
    return f"trainable params: {trainable}; trained {result.global_step} steps, loss {result.training_loss:.3f}\n"

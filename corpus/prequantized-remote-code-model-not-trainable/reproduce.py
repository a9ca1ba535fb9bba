"""A pre-quantized checkpoint loaded by its own remote code, the way Baichuan2-*-4bits' modeling_baichuan.py does it:
its ``from_pretrained`` builds the model, fills the 4-bit weights itself and sets ``model.is_quantized = True``, so the
model says it is quantized but carries no ``hf_quantizer`` (transformers never quantized it). LoRA is attached with
PEFT, as LLaMA-Factory and the Baichuan2 fine-tuning scripts do, and the model is handed to the real Trainer.

The Trainer's quantization check (``validate_quantization_for_training``; inline in ``Trainer.__init__`` in earlier
releases) sees ``is_quantized`` without a trainable ``hf_quantizer`` and, to word its refusal, reads
``model.hf_quantizer.quantization_config.quant_method``: through PEFT's ``__getattr__`` chain that ends in the real
``AttributeError: 'BaichuanForCausalLM' object has no attribute 'hf_quantizer'`` (transformers before 4.38 refused with
"The model you want to train is loaded in 8-bit precision ..." instead). The model here is a tiny remote-code model,
loaded from its folder with trust_remote_code=True (float weights: only the marker matters to the check).

fixed(): fix 0, the full-precision release of the same model (no quantized marker) with the same LoRA adapters: the
Trainer accepts it and trains two steps. CPU only, nothing downloaded.
"""

import os
import tempfile

from kbfix.reproduce import remote_code_model

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0,)

LM_FORWARD = '''
    def forward(self, input_ids, labels=None, **kwargs):
        logits = self.embed_tokens(input_ids) @ self.embed_tokens.weight.T
        loss = None
        if labels is not None:
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
        return {"loss": loss, "logits": logits}
'''


def _model(root, prequantized):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    name = "baichuan_4bits" if prequantized else "baichuan"
    folder = remote_code_model(os.path.join(root, name), name, "BaichuanConfig", "BaichuanForCausalLM",
                               auto_class="AutoModelForCausalLM", embedding="embed_tokens", methods=LM_FORWARD)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder, trust_remote_code=True),
                                             trust_remote_code=True)
    if prequantized:
        model.is_quantized = True   # what the -4bits remote code's from_pretrained sets after loading its int4 weights
    return get_peft_model(model, LoraConfig(r=2, lora_alpha=4, target_modules=["embed_tokens"]))


def _trainer(model, output_dir):
    import torch
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=output_dir, max_steps=2, per_device_train_batch_size=2, logging_steps=1,
                             save_strategy="no", report_to="none", use_cpu=True)
    data = [{"input_ids": torch.tensor([1, 2, 3]), "labels": torch.tensor([1, 2, 3])}] * 4
    return Trainer(model=model, args=args, train_dataset=data)


def reproduce():
    with tempfile.TemporaryDirectory() as out:
        _trainer(_model(out, prequantized=True), out)   # raises the real AttributeError in the quantization check


def fixed():
    with tempfile.TemporaryDirectory() as out:
        model = _model(out, prequantized=False)          # fix 0: the full-precision checkpoint, LoRA on top
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert trainable > 0
        result = _trainer(model, out).train()
    assert result.global_step == 2 and result.training_loss == result.training_loss, result
    return f"trainable params: {trainable}; trained {result.global_step} steps, loss {result.training_loss:.3f}\n"

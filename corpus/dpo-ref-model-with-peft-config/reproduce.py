"""A DPO script that trains a LoRA adapter (``peft_config=LoraConfig(...)``) and still loads a second copy of the base
model as ``ref_model``, as many 2023-2024 tutorials did: TRL 0.7.11 - 0.27 refuse it in ``DPOTrainer.__init__``
(``ValueError: You passed both a ref_model and a peft_config. ...``). fixed() applies fix 1: ``ref_model=None``, so the
reference log-probs come from the same model with the adapter disabled; the trainer is built and trains one step.

The check exists in TRL 0.7.11 - 0.28 (0.28 raises it only with an explicit ``force_use_ref_model=False``; 0.29 removed
it): with any other release (or none) the test is skipped. The model is a tiny Llama and the tokenizer a word-level
one, both built here (no download).
"""

import os
import tempfile

from kbfix.reproduce import release_within, tiny_llama, word_tokenizer

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('trl==0.19.1', 'transformers==4.53.3', 'tokenizers==0.21.4', 'huggingface_hub==0.34.4', 'datasets==4.0.0', 'kernels==0.7.0')
# this module is never installed: it stands for "a TRL release whose DPOTrainer refuses ref_model with peft_config
# and takes processing_class (0.12 - 0.27)"
REQUIRES = ("torch", "transformers", "tokenizers", "datasets", "accelerate", "peft", "trl") + (
    () if release_within("trl", (0, 12), (0, 28)) else ("kbfix_requires_trl_0_12_to_0_27",))
FIXES = (0,)

WORDS = "what is two plus four ? six seven".split()


def _tokenizer():
    return word_tokenizer(WORDS)


def _trainer(ref_model):
    from datasets import Dataset
    from peft import LoraConfig
    from trl import DPOConfig, DPOTrainer

    pairs = Dataset.from_dict({"prompt": ["what is two plus four ?"] * 4, "chosen": [" six"] * 4,
                               "rejected": [" seven"] * 4})
    args = DPOConfig(output_dir=os.path.join(tempfile.mkdtemp(), "dpo"), per_device_train_batch_size=2, max_steps=1,
                     max_length=16, max_prompt_length=8, report_to="none", use_cpu=True)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    return DPOTrainer(model=tiny_llama(), ref_model=ref_model, args=args, train_dataset=pairs,
                      processing_class=_tokenizer(), peft_config=lora)


def reproduce():
    _trainer(ref_model=tiny_llama())      # a second full copy of the base model next to the LoRA config


def fixed():
    trainer = _trainer(ref_model=None)    # the reference is the same model with the adapter disabled
    trainer.train()
    logged = [log for log in trainer.state.log_history if "train_loss" in log]
    assert logged, trainer.state.log_history
    return f"DPOTrainer with peft_config and ref_model=None trained one step: train_loss {logged[-1]['train_loss']:.4f}"

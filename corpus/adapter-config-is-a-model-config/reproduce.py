"""A model's config.json saved as adapter_config.json (the Langchain-Chatchat "rename config.json" recipe, or a merged
model folder registered as a LoRA): PEFT reads the file as a PeftConfig and, having no "peft_type" in it, the real
``PeftModel.from_pretrained`` raises ``KeyError: 'peft_type'`` in ``PeftConfigMixin._get_peft_type`` (PEFT 0.4 and
later; PEFT <= 0.13's ``PeftConfig.from_pretrained`` raises ``TypeError: PeftConfig.__init__() got an unexpected keyword
argument '<first model-config key>'`` instead).

reproduce() builds a tiny Llama from a config (no download), saves it as a "merged" model folder and copies its
config.json to adapter_config.json, then loads that folder as an adapter. fixed() loads the real adapter folder that
PeftModel.save_pretrained wrote (fix 0), and the merged folder as a model once the fake adapter_config.json is moved
away (fix 1). CPU only.
"""

import shutil
import tempfile
from pathlib import Path

from kbfix.reproduce import tiny_llama

REQUIRES = ("torch", "transformers", "peft")
FIXES = (0, 1)


def _folders():
    """A real adapter folder and a merged-model folder with config.json copied to adapter_config.json."""
    from peft import LoraConfig, get_peft_model

    root = Path(tempfile.mkdtemp())
    adapter_dir, merged_dir = root / "lora", root / "merged"
    peft_model = get_peft_model(tiny_llama(seed=None), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    peft_model.save_pretrained(adapter_dir)                       # adapter_config.json (peft_type LORA) + adapter_model.safetensors
    peft_model.merge_and_unload().save_pretrained(merged_dir)     # config.json + model.safetensors
    shutil.copy(merged_dir / "config.json", merged_dir / "adapter_config.json")   # the hand-made "adapter config"
    return adapter_dir, merged_dir


def reproduce():
    from peft import PeftModel

    _, merged_dir = _folders()
    PeftModel.from_pretrained(tiny_llama(seed=None), str(merged_dir))           # KeyError: 'peft_type'


def fixed():
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    adapter_dir, merged_dir = _folders()
    # fix 0: the folder PeftModel.save_pretrained wrote
    model = PeftModel.from_pretrained(tiny_llama(seed=None), str(adapter_dir))
    assert any("lora_A" in name for name, _ in model.named_parameters())
    # fix 1: the merged folder is a model: move the fake adapter_config.json away and load it with AutoModel
    (merged_dir / "adapter_config.json").rename(merged_dir / "adapter_config.json.bak")
    merged = AutoModelForCausalLM.from_pretrained(str(merged_dir))
    with torch.no_grad():
        merged(torch.tensor([[1, 2, 3]]))

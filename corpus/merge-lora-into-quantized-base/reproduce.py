"""A tiny Llama (built from a config, saved to a temporary folder) is loaded in 4-bit with bitsandbytes' CPU
backend (bitsandbytes >= 0.45 quantizes on the CPU), a LoRA adapter (non-zero B, as after training) is trained
on it and saved, and the adapter is merged into the 4-bit base: PEFT (>= 0.7) warns "Merge lora module to 4-bit
linear may get different generations due to rounding errors" and the merged layers stay Linear4bit (PEFT < 0.7
raised "Cannot merge LORA layers when the model is loaded in 4-bit mode"). fixed() applies fix 0: the base is
reloaded without quantization, the saved adapter merged there (no warning, plain Linear layers), and the merged
model's logits match the 16-bit base + adapter's.
"""

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('bitsandbytes==0.50.2',)
REQUIRES = ("torch", "transformers", "accelerate", "bitsandbytes", "peft")
FIXES = (0,)
NOTICE = "Merge lora module to 4-bit linear may get different generations due to rounding errors"

SCRIPT = '''
import sys, tempfile, warnings
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import BitsAndBytesConfig, LlamaConfig, LlamaForCausalLM

mode = sys.argv[1]
torch.manual_seed(0)
cfg = LlamaConfig(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                  num_attention_heads=4, num_key_value_heads=4)
base_dir, adapter_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
LlamaForCausalLM(cfg).save_pretrained(base_dir)
four_bit = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float32)
qlora = get_peft_model(LlamaForCausalLM.from_pretrained(base_dir, quantization_config=four_bit, device_map="cpu"),
                       LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
qlora.save_pretrained(adapter_dir)  # what QLoRA training leaves
ids = torch.tensor([[1, 2, 3, 4]])

if mode == "broken":
    merged = qlora.merge_and_unload()  # PEFT's own UserWarning goes to stderr
    print("merged layer:", type(merged.model.layers[0].self_attn.q_proj).__name__, flush=True)
else:
    # fix 0: reload the base without quantization and merge there
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        base = LlamaForCausalLM.from_pretrained(base_dir, dtype=torch.float32, device_map="cpu")
        model = PeftModel.from_pretrained(base, adapter_dir)
        expected = model(ids).logits
        merged = model.merge_and_unload()
    assert not [w for w in caught if "rounding errors" in str(w.message)], [str(w.message) for w in caught]
    layer = merged.model.layers[0].self_attn.q_proj
    assert type(layer) is torch.nn.Linear, type(layer)
    assert torch.allclose(merged(ids).logits, expected, atol=1e-4)
    print("merged on the 16-bit base:", type(layer).__name__, "logits match base + adapter", flush=True)
'''


def _run(mode):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=(mode,), timeout=300)


def reproduce():
    code, output = _run("broken")
    assert code == 0 and NOTICE in output and "merged layer: Linear4bit" in output, output
    return output


def fixed():
    code, output = _run("fixed")
    assert code == 0 and "merged on the 16-bit base: Linear" in output and NOTICE not in output, output
    return output

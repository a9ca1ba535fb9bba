"""A tiny Llama (built from a config, saved to a temporary folder) is loaded in 8-bit with bitsandbytes'
CPU backend (bitsandbytes >= 0.45 quantizes on the CPU; transformers 5.x accepts device_map="cpu"). Moving or
casting it afterwards, as scripts written for full-precision models do (`model.half()`, `model.to(torch.float16)`,
`model.cuda()`), makes transformers' PreTrainedModel overrides raise their real ValueErrors. fixed() uses the
model as loaded (fix 0), and loads it with the wanted dtype instead of casting (fix 3), each with a forward pass.
The device-move wordings of transformers <= 4.57 (`.to` is not supported for `4-bit` or `8-bit` bitsandbytes
models) need an older transformers with a CUDA GPU; they are the entry's real cases.
"""

from kbfix.reproduce import failed, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('bitsandbytes==0.50.2',)
REQUIRES = ("torch", "transformers", "accelerate", "bitsandbytes")
FIXES = (0, 3)

SCRIPT = '''
import sys, tempfile, warnings
warnings.filterwarnings("ignore")
import torch
from transformers import BitsAndBytesConfig, LlamaConfig, LlamaForCausalLM

mode = sys.argv[1]
cfg = LlamaConfig(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                  num_attention_heads=4, num_key_value_heads=4)
folder = tempfile.mkdtemp()
LlamaForCausalLM(cfg).save_pretrained(folder)
ids = torch.tensor([[1, 2, 3, 4]])

if mode == "broken":
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=BitsAndBytesConfig(load_in_8bit=True),
                                             device_map="cpu")
    for name, call in (("half", lambda: model.half()), ("to dtype", lambda: model.to(torch.float16)),
                       ("cuda", lambda: model.cuda())):
        try:
            call()
        except ValueError as err:
            print(f"{name}: ValueError: {err}", flush=True)
            last = err
    raise last
else:
    # fix 0: use the model where and as it was loaded, move the inputs instead
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=BitsAndBytesConfig(load_in_8bit=True),
                                             device_map="cpu")
    print("as loaded:", model(ids.to(model.device)).logits.shape, model.device)
    # fix 3: choose the dtype at load time instead of casting
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=BitsAndBytesConfig(load_in_8bit=True),
                                             dtype=torch.bfloat16, device_map="cpu")
    print("dtype at load:", model(ids).logits.shape, model.dtype)
'''


def _run(mode):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=(mode,), timeout=300)


def reproduce():
    return failed(_run("broken"))


def fixed():
    return succeeded(_run("fixed"), "as loaded:", "dtype at load:")

"""A tiny Llama (built from a config, saved to a temporary folder) is loaded in 4-bit with bitsandbytes' CPU
backend (bitsandbytes >= 0.45 quantizes on the CPU; transformers 5.x accepts device_map="cpu"), and the 16-bit
weights of the same model are given to load_state_dict: every Linear4bit holds its weight packed as uint8
[in * out / 2, 1], so torch's load_state_dict raises its real "size mismatch ... the shape in current model is
torch.Size([2048, 1])". fixed() loads the 16-bit weights into an unquantized model, saves it and quantizes when
loading the saved folder (fix 0), and keeps the module whose weights are loaded out of the 4-bit conversion
with llm_int8_skip_modules (fix 1), each with a forward pass.
"""

from kbfix.reproduce import failed, succeeded, tiny_llama_script

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('bitsandbytes==0.50.2',)
REQUIRES = ("torch", "transformers", "accelerate", "bitsandbytes")
FIXES = (0, 1)

SCRIPT = tiny_llama_script('''
weights = LlamaForCausalLM(cfg).state_dict()  # 16-bit-shaped weights from elsewhere (a projector, a fine-tune)
four_bit = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float32)
ids = torch.tensor([[1, 2, 3, 4]])

if mode == "broken":
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=four_bit, device_map="cpu")
    model.load_state_dict(weights)
else:
    # fix 0: load the weights into an unquantized model, save it, quantize when loading the saved folder
    full = LlamaForCausalLM.from_pretrained(folder)
    full.load_state_dict(weights)
    merged = tempfile.mkdtemp()
    full.save_pretrained(merged)
    model = LlamaForCausalLM.from_pretrained(merged, quantization_config=four_bit, device_map="cpu")
    print("quantized after loading:", type(model.model.layers[0].self_attn.q_proj).__name__,
          model(ids).logits.shape, flush=True)
    # fix 1: keep the module whose weights are loaded out of the 4-bit conversion
    skip = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float32,
                              llm_int8_skip_modules=["q_proj", "lm_head"])
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=skip, device_map="cpu")
    q_proj = {k: v for k, v in weights.items() if ".q_proj." in k}
    result = model.load_state_dict(q_proj, strict=False)
    assert not result.unexpected_keys, result
    print("skipped module:", type(model.model.layers[0].self_attn.q_proj).__name__, model(ids).logits.shape, flush=True)
''')


def _run(mode):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=(mode,), timeout=300)


def reproduce():
    return failed(_run("broken"))


def fixed():
    return succeeded(_run("fixed"), "quantized after loading: Linear4bit", "skipped module: Linear ")

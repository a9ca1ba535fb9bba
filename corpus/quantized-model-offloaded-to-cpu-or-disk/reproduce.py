"""A tiny Llama (built from a config, saved to a temporary folder) is loaded in 8-bit with bitsandbytes' CPU
backend (bitsandbytes >= 0.45 quantizes on the CPU) and device_map="auto" under a max_memory budget that is too
small for it, as a GPU with too little free memory is. On this CPU-only machine the CPU is the device the
quantized model lives on (transformers accepts a map whose only value is "cpu"), so accelerate's
infer_auto_device_map spills the layers that do not fit to "disk", and Bnb8BitHfQuantizer.validate_environment
(called from _get_device_map) raises the real "Some modules are dispatched on the CPU or the disk" ValueError.
fixed() applies fix 1: 4-bit instead of 8-bit under the same budget, so the whole model fits on the one device
and runs a forward pass; and fix 3: the same 8-bit config with llm_int8_enable_fp32_cpu_offload=True and a custom
device_map with "cpu" and "disk" entries: the model loads, the offloaded layers stay fp32 nn.Linear, and generate()
runs. (Without a GPU the flag treats the "cpu" entries as offloaded too, so here nothing ends up in 8-bit; and fix 3
is shown with an explicit map because transformers 5.x quantizes the model before it computes a device_map="auto"
map, so with "auto" the offloaded layers stay Linear4bit/Linear8bitLt, and on the CPU a disk-offloaded Linear4bit
loses its quant_state after its first forward pass.)
"""

from kbfix.reproduce import failed, succeeded, tiny_llama_script

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('bitsandbytes==0.50.2',)
REQUIRES = ("torch", "transformers", "accelerate", "bitsandbytes")
FIXES = (1, 3)

SCRIPT = tiny_llama_script('''
budget = {"cpu": 110_000}  # bytes on the device the quantized model goes to: fits 4-bit, not 8-bit
ids = torch.tensor([[1, 2, 3, 4]])

if mode == "broken":
    eight_bit = BitsAndBytesConfig(load_in_8bit=True)
    LlamaForCausalLM.from_pretrained(folder, quantization_config=eight_bit, device_map="auto", max_memory=budget,
                                     offload_folder=tempfile.mkdtemp())
else:
    # fix 1: 4-bit instead of 8-bit: the same budget now holds the whole model, nothing is offloaded
    four_bit = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float32)
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=four_bit, device_map="auto",
                                             max_memory=budget, offload_folder=tempfile.mkdtemp())
    placed = set(getattr(model, "hf_device_map", {"": "cpu"}).values())
    assert "disk" not in placed, placed
    print("4-bit fits:", placed, type(model.model.layers[0].self_attn.q_proj).__name__,
          tuple(model(ids).logits.shape), flush=True)
    # fix 3: offload on purpose: the same 8-bit config with the fp32 offload flag and a custom device_map
    offload = BitsAndBytesConfig(load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=True)
    device_map = {"model.embed_tokens": "cpu", "model.rotary_emb": "cpu", "model.layers.0": "cpu",
                  "model.layers.1": "disk", "model.norm": "disk", "lm_head": "disk"}
    model = LlamaForCausalLM.from_pretrained(folder, quantization_config=offload, device_map=device_map,
                                             offload_folder=tempfile.mkdtemp())
    assert model.hf_device_map == device_map, model.hf_device_map
    layer = model.model.layers[1].self_attn.q_proj
    assert type(layer) is torch.nn.Linear and layer.weight.dtype == torch.float32, (type(layer), layer.weight.dtype)
    out = model.generate(ids, max_new_tokens=4, do_sample=False)
    assert out.shape == (1, 8), out.shape
    print("offloaded on purpose:", sorted(set(device_map.values())), "offloaded layer", type(layer).__name__,
          layer.weight.dtype, "generated", out[0, 4:].tolist(), flush=True)
''', layers=2)


def _run(mode):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=(mode,), timeout=300)


def reproduce():
    return failed(_run("broken"))


def fixed():
    return succeeded(_run("fixed"), "4-bit fits: {'cpu'} Linear4bit", "offloaded on purpose:")

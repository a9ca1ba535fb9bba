"""A tiny Llama (built from a config, saved to a temporary folder) is loaded in 4-bit with bitsandbytes' CPU
backend (bitsandbytes >= 0.45 quantizes on the CPU). The loop old full-fine-tuning scripts run to "unfreeze"
the model, ``for param in model.parameters(): param.requires_grad = True``, reaches a packed 4-bit weight
(``Params4bit``, dtype uint8) and torch raises its real ``RuntimeError: only Tensors of floating point and complex
dtype can require gradients``. fixed() applies fix 0 (prepare_model_for_kbit_training + LoRA adapters: a training
step, the quantized weights stay frozen), fix 1 (the loop skips non-floating-point parameters), fix 2 (the module
to train in full kept out of quantization with ``llm_int8_skip_modules``, then unfrozen through PEFT's
``modules_to_save``) and fix 3 (the model loaded unquantized, every parameter trainable).
"""

from kbfix.reproduce import failed, succeeded, tiny_llama_script

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('bitsandbytes==0.50.2',)
REQUIRES = ("torch", "transformers", "accelerate", "bitsandbytes", "peft")
FIXES = (0, 1, 2, 3)

SCRIPT = tiny_llama_script('''
ids = torch.tensor([[1, 2, 3, 4]])


def load_4bit(**extra):
    four_bit = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float32, **extra)
    return LlamaForCausalLM.from_pretrained(folder, quantization_config=four_bit, device_map="cpu")


def step(model):
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    return sum(p.requires_grad for p in model.parameters()), loss.item()


if mode == "broken":
    model = load_4bit()
    for param in model.parameters():      # the "unfreeze everything" loop of a full fine-tuning script
        param.requires_grad = True
else:
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    # fix 0: train LoRA adapters on the frozen 4-bit base (QLoRA)
    model = get_peft_model(prepare_model_for_kbit_training(load_4bit()),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    trainable, loss = step(model)
    q_proj = model.base_model.model.model.layers[0].self_attn.q_proj
    assert trainable > 0 and not q_proj.base_layer.weight.requires_grad, trainable
    print(f"fix 0: LoRA on the 4-bit base: {trainable} trainable tensors, loss {loss:.3f}", flush=True)

    # fix 1: unfreeze only floating-point parameters; the packed weights stay as they are
    model = load_4bit()
    for param in model.parameters():
        if param.is_floating_point():
            param.requires_grad = True
    kept = [p.dtype for p in model.parameters() if not p.requires_grad]
    assert kept and all(not d.is_floating_point for d in kept), kept
    print(f"fix 1: {len(kept)} packed weights left frozen ({kept[0]})", flush=True)

    # fix 2: the module that must train in full is not quantized (llm_int8_skip_modules), adapters elsewhere
    model = load_4bit(llm_int8_skip_modules=["lm_head", "down_proj"])
    model = get_peft_model(prepare_model_for_kbit_training(model),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], modules_to_save=["down_proj"]))
    trainable, loss = step(model)
    print(f"fix 2: down_proj kept unquantized and trained in full, loss {loss:.3f}", flush=True)

    # fix 3: full fine-tuning of an unquantized model
    model = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32, device_map="cpu")
    for param in model.parameters():
        param.requires_grad = True
    trainable, loss = step(model)
    print(f"fix 3: unquantized model, all {trainable} tensors trainable, loss {loss:.3f}", flush=True)
''')


def _run(mode):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, args=(mode,), timeout=400)


def reproduce():
    return failed(_run("broken"))


def fixed():
    return succeeded(_run("fixed"), "fix 0:", "fix 1:", "fix 2:", "fix 3:")

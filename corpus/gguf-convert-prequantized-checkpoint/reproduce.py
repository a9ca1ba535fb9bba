"""llama.cpp's real convert_hf_to_gguf.py (vendored in llama-cpp-python 0.3.16's sdist) run on a tiny Llama saved the
way a GPTQ export saves it: each linear layer's weight replaced by 4-bit GPTQ tensors (`qweight` with eight nibbles
packed per int32, `qzeros`, fp16 `scales`, `g_idx`, group size 16, symmetric) and a `quantization_config` in
config.json, written with safetensors. The converter has no GGUF name for those tensors: its map_tensor_name raises
the real `ValueError: Can not map tensor 'model.layers.0.mlp.down_proj.g_idx'` (llama.cpp#8134 hit `.qweight`).

fixed() converts the same model saved in 16-bit with no quantization_config (fix 0, the full-precision model): the
converter maps every tensor (`torch.float16 --> F16`) and writes the .gguf. The tokenizer is a tiny Llama-style BPE
(byte fallback) built with `tokenizers`; nothing is downloaded.

The converter imports mistral_common at its top (llama.cpp's requirements-convert_hf_to_gguf.txt): the test extra
does not install it, so the reproducer is verified with the OVERLAY below (scripts/verify.py --overlays) and skipped
elsewhere.
"""

import json
import os
import tempfile
from pathlib import Path

from kbfix.reproduce import failed, run_script, source_folder, succeeded, tiny_llama

SOURCES = ("llama-cpp-python==0.3.16",)
# what convert_hf_to_gguf.py imports beyond torch/transformers/numpy/yaml: mistral_common and its import-time needs
OVERLAY = ("mistral_common==1.8.3", "pillow==11.3.0", "pydantic-extra-types==2.10.5", "pycountry==24.6.1",
           "tiktoken==0.11.0", "sentencepiece==0.2.0")
REQUIRES = ("torch", "transformers", "tokenizers", "safetensors", "yaml", "mistral_common", "tiktoken", "sentencepiece")
FIXES = (0,)

GROUP = 16
LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

# the converter run as the user runs it: `python convert_hf_to_gguf.py <model dir> --outtype f16 --outfile ...`
CONVERT = """
import runpy, sys
script = {script!r}
sys.argv = [script, *sys.argv[1:]]
runpy.run_path(script, run_name="__main__")
"""


def _tokenizer(folder):
    """A Llama-2-style tokenizer.json (BPE with byte fallback, the Sequence decoder) of 64 tokens."""
    from tokenizers import Tokenizer, decoders, models, normalizers
    from transformers import PreTrainedTokenizerFast

    chars = "\u2581abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{c: i + 3 for i, c in enumerate(chars)}}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>").save_pretrained(folder)


def _gptq(weight):
    """AutoGPTQ's on-disk layout of a [out, in] weight, 4-bit symmetric, group size GROUP (round-to-nearest)."""
    import torch

    out_f, in_f = weight.shape
    w = weight.float().t().reshape(in_f // GROUP, GROUP, out_f)            # [groups, group, out]
    scales = (w.abs().amax(dim=1) / 7).clamp(min=1e-8)                       # [groups, out]
    q = (torch.round(w / scales[:, None, :]) + 8).clamp(0, 15).to(torch.int32).reshape(in_f, out_f)
    shifts = (torch.arange(8, dtype=torch.int32) * 4)
    qweight = (q.reshape(in_f // 8, 8, out_f) << shifts[None, :, None]).sum(dim=1, dtype=torch.int32)
    zeros = torch.full((in_f // GROUP, out_f), 8 - 1, dtype=torch.int32)  # AutoGPTQ stores zero - 1
    qzeros = (zeros.reshape(in_f // GROUP, out_f // 8, 8) << shifts[None, None, :]).sum(dim=2, dtype=torch.int32)
    g_idx = torch.arange(in_f, dtype=torch.int32) // GROUP
    return {"qweight": qweight, "qzeros": qzeros, "scales": scales.to(torch.float16), "g_idx": g_idx}


def _save(folder, quantized):
    import torch
    from safetensors.torch import save_file

    model = tiny_llama(layers=1).to(torch.float16)
    model.save_pretrained(folder)
    _tokenizer(folder)
    if not quantized:
        return
    tensors = {}
    for name, tensor in model.state_dict().items():
        module, _, kind = name.rpartition(".")
        if module.rpartition(".")[2] in LINEARS and kind == "weight":
            tensors.update({f"{module}.{k}": v.contiguous() for k, v in _gptq(tensor).items()})
        else:
            tensors[name] = tensor.contiguous()
    save_file(tensors, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    config_path = Path(folder) / "config.json"
    config = json.loads(config_path.read_text())
    config["quantization_config"] = {"quant_method": "gptq", "bits": 4, "group_size": GROUP, "desc_act": False,
                                     "sym": True, "checkpoint_format": "gptq"}
    config_path.write_text(json.dumps(config, indent=2))


def _convert(quantized):
    """(exit code, terminal output) of the converter on the tiny model; a clean run must have written the .gguf."""
    llama_cpp = source_folder(SOURCES[0]) / "vendor" / "llama.cpp"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, outfile = os.path.join(tmp, "model"), os.path.join(tmp, "model-f16.gguf")
        _save(model_dir, quantized)
        code, output = run_script(CONVERT.format(script=str(llama_cpp / "convert_hf_to_gguf.py")),
                                  args=(model_dir, "--outtype", "f16", "--outfile", outfile),
                                  env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
        assert code != 0 or os.path.getsize(outfile) > 0, output
    return code, output


def reproduce():
    return failed(_convert(quantized=True))     # ValueError: Can not map tensor '...' raised by the converter


def fixed():
    return succeeded(_convert(quantized=False), "torch.float16 --> F16", "Model successfully exported")

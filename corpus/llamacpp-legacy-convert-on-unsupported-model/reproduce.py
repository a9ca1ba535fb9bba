"""llama.cpp's real legacy ``convert.py`` (vendored at the root of llama-cpp-python 0.2.76's sdist, the last release
before llama.cpp #7430 moved it to examples/convert-legacy-llama.py) run as users ran it,
``python convert.py <model dir> --outtype f16 --outfile ...``, on a tiny Phi-3 (``Phi3ForCausalLM``: fused
``self_attn.qkv_proj`` and ``mlp.gate_up_proj``) built from a config. The script reads the LLaMA-style hyper-parameters
Phi-3's config.json also has, loads the sentencepiece vocab, then cannot map the fused tensors to LLaMA names: its
convert_model_names raises the real ``ValueError: Unexpected tensor name: model.layers.0.self_attn.qkv_proj.weight. Use
--skip-unknown to ignore it (e.g. LLaVA)``.

fixed() applies fix 0: the same folder converted with the same release's ``convert-hf-to-gguf.py`` (the HF converter,
``convert_hf_to_gguf.py`` from mid-2024), which picks its Phi3 class from config.json ``architectures`` and writes the
.gguf (``blk.0.attn_qkv.weight ... --> F16``, ``Model successfully exported``).

The tokenizer is a 64-piece sentencepiece model trained here on a few sentences; nothing is downloaded. config.json gets
the two keys Phi-3's own config.json of the time has (``rope_theta``, ``rope_scaling: null``; transformers 5 writes
``rope_parameters`` instead), which the 2024 HF converter reads. Both scripts import sentencepiece at their top and
gguf-py of that release calls numpy 1.x API (``newbyteorder`` on a scalar): the reproducer is verified with the OVERLAY
below (sentencepiece 0.2.0, numpy 1.26.4; scripts/verify.py --overlays) and skipped elsewhere.
"""

import io
import json
import os
import tempfile
from pathlib import Path

from kbfix.reproduce import failed, release_within, run_script, source_folder, succeeded

SOURCES = ("llama-cpp-python==0.2.76",)
# what the 2024 converters need beyond torch/safetensors: sentencepiece (imported at convert.py's top) and numpy < 2
OVERLAY = ("sentencepiece==0.2.0", "numpy==1.26.4")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
NUMPY_1 = "kbfix_requires_numpy_1_x_for_the_2024_gguf_py"
REQUIRES = ("torch", "transformers", "safetensors", "sentencepiece", "numpy") + (
    () if release_within("numpy", (1, 0), (2, 0)) else (NUMPY_1,))
FIXES = (0,)

# the script run as `python <script> ...` runs it: its own folder first on sys.path (convert-hf-to-gguf.py imports
# convert.py's LlamaHfVocab), gguf-py added by the script itself
CONVERT = """
import os, runpy, sys
script = {script!r}
sys.argv = [script, *sys.argv[1:]]
sys.path[0] = os.path.dirname(script)
runpy.run_path(script, run_name="__main__")
"""

SENTENCES = ["the quick brown fox jumps over the lazy dog", "hello world, a tiny model for a converter",
             "phi three mini answers in a few words"] * 20


def _save(folder):
    """A tiny Phi3ForCausalLM (one layer, hidden size 16) and a 64-piece sentencepiece tokenizer.model."""
    import sentencepiece
    import torch
    from transformers import Phi3Config, Phi3ForCausalLM

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(SENTENCES), model_writer=model, vocab_size=64,
                                             model_type="bpe", normalization_rule_name="identity", minloglevel=2)
    Path(folder).mkdir(parents=True)
    (Path(folder) / "tokenizer.model").write_bytes(model.getvalue())
    torch.manual_seed(0)
    config = Phi3Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32,
                        original_max_position_embeddings=32, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    Phi3ForCausalLM(config).save_pretrained(folder)
    config_path = Path(folder) / "config.json"
    saved = json.loads(config_path.read_text())
    saved.update(rope_theta=10000.0, rope_scaling=None)     # as microsoft/Phi-3-mini-4k-instruct's config.json
    config_path.write_text(json.dumps(saved, indent=2))


def _convert(script):
    """(exit code, terminal output) of ``script`` on the tiny model; a clean run must have written the .gguf."""
    llama_cpp = source_folder(SOURCES[0]) / "vendor" / "llama.cpp"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, outfile = os.path.join(tmp, "phi3"), os.path.join(tmp, "model-f16.gguf")
        _save(model_dir)
        code, output = run_script(CONVERT.format(script=str(llama_cpp / script)),
                                  args=(model_dir, "--outtype", "f16", "--outfile", outfile),
                                  env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
        assert code != 0 or os.path.getsize(outfile) > 0, output
    return code, output


def reproduce():
    return failed(_convert("convert.py"))     # ValueError: Unexpected tensor name: model.layers.0.self_attn.qkv_proj...


def fixed():
    return succeeded(_convert("convert-hf-to-gguf.py"), "blk.0.attn_qkv.weight", "Model successfully exported")

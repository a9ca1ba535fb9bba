"""transformers 4.53.x Qwen2.5-VL (also Qwen2-VL, GLM-4V) generating with a static cache: the 4D attention mask that
generate() builds for SDPA is boolean, and Qwen2_5_VLModel.forward divides it by ``torch.finfo(mask.dtype).min``:
``TypeError: torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'``.

A tiny Qwen2.5-VL (one text layer, one vision block, 16 wide) is built from a config with SDPA attention (what
from_pretrained picks; a model built from a bare config keeps eager for its text part, whose float mask passes) and
generates three tokens with ``cache_implementation="static"``, text only.

The environment's transformers is newer, so this needs transformers 4.53.3 as a PYTHONPATH overlay IN FRONT of it
(``scripts/verify.py --overlays`` installs OVERLAY). reproduce() runs with the overlay; fixed() (fix 0, the upgrade)
runs the same script with the overlay taken off sys.path, so the environment's transformers (>= 4.54) generates.
Verified with 4.53.3 (the error) and 5.25.0 (fixed).
"""

from kbfix.reproduce import older_in_front, run_script, succeeded


def _overlay():
    return older_in_front("transformers", (4, 54))


# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "transformers 4_53 as a PYTHONPATH overlay in front of transformers 4_54 or newer, see the docstring"
OVERLAY = ("transformers==4.53.3", "tokenizers==0.21.4", "huggingface_hub==0.34.4", "kernels==0.7.0")
REQUIRES = ("torch", "transformers") + (() if _overlay() else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import torch
import transformers
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

print("transformers", transformers.__version__, flush=True)
torch.manual_seed(0)
text = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
            num_key_value_heads=2, max_position_embeddings=64, bos_token_id=1, eos_token_id=2, pad_token_id=0,
            rope_scaling={"type": "mrope", "mrope_section": [1, 1, 2]})
vision = dict(depth=1, hidden_size=16, intermediate_size=32, num_heads=2, out_hidden_size=16, fullatt_block_indexes=[0])
config = Qwen2_5_VLConfig(text_config=text, vision_config=vision, image_token_id=60, video_token_id=61,
                          vision_start_token_id=62, bos_token_id=1, eos_token_id=2, pad_token_id=0)
model = Qwen2_5_VLForConditionalGeneration._from_config(config, attn_implementation="sdpa").eval()
ids = torch.tensor([[5, 6, 7, 8]])
out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=3, do_sample=False,
                     cache_implementation="static")
print("generated", out.tolist(), flush=True)
'''


def _run(without=None):
    return run_script(SCRIPT, timeout=300, without=without)


def reproduce():
    code, output = _run()
    assert code != 0, "Qwen2.5-VL generated with a static cache; transformers must be 4.53.x\n" + output
    assert "torch.finfo() requires a floating point input type" in output, output
    return output


def fixed():
    return succeeded(_run(_overlay()), "generated")

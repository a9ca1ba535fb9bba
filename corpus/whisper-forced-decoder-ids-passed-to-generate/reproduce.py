"""Whisper ``generate()`` given ``forced_decoder_ids=processor.get_decoder_prompt_ids(language=..., task=...)`` while
the model's generation config already forces the prompt tokens (every openai/whisper-* ``generation_config.json`` ships
``forced_decoder_ids``; the Hugging Face fine-tuning blog and notebooks pass them to ``generate()`` in the evaluation
loop). transformers 4.37.x builds a ``ForceTokensLogitsProcessor`` twice, once in ``WhisperGenerationMixin`` from
the config and once in ``GenerationMixin._get_logits_processor`` from the ``forced_decoder_ids`` keyword still in
``kwargs``, and ``_merge_criteria_processor_list`` raises "ValueError: A custom logits processor of type <class
'transformers.generation.logits_process.ForceTokensLogitsProcessor'> with values ... has been passed to `.generate()`,
but it has already been created with the values ...".

The environment's transformers 5.x no longer has ``forced_decoder_ids`` logic to collide, so this needs transformers
4.37 (verified with 4.37.2; 4.36.0 and 4.38.2 run the same call) as a PYTHONPATH overlay; elsewhere REQUIRES names a
module that cannot exist and the test skips it. Both functions run a fresh interpreter (run_script) with the
environment's datasets, peft and accelerate hidden (they need a newer huggingface_hub than the overlay's).
reproduce(): the real ValueError. fixed(): fix 0, ``model.generation_config.forced_decoder_ids = None`` and
``generate(..., language="en", task="transcribe")``: the same model generates, starting with the same forced prompt
tokens. Nothing is downloaded: the model is a tiny WhisperForConditionalGeneration built from a config, its generation
config filled in as the openai checkpoints' is.
"""

from kbfix.reproduce import failed, release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.37.2", "tokenizers==0.15.2", "huggingface_hub==0.24.7")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
OLD = "kbfix_requires_transformers_4_37"
REQUIRES = ("torch", "transformers") + (() if release_within("transformers", (4, 37), (4, 38)) else (OLD,))
FIXES = (0,)

SCRIPT = r'''
import os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
for hidden in ("datasets", "peft", "accelerate"):   # newer than the overlay's huggingface_hub: make them look absent
    sys.modules[hidden] = None
import torch, transformers
from transformers import WhisperConfig, WhisperForConditionalGeneration

print("transformers", transformers.__version__, flush=True)
torch.manual_seed(0)
config = WhisperConfig(vocab_size=64, num_mel_bins=8, d_model=16, encoder_layers=1, decoder_layers=1,
                       encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                       max_source_positions=16, max_target_positions=32, pad_token_id=1, bos_token_id=1,
                       eos_token_id=1, decoder_start_token_id=2, suppress_tokens=[], begin_suppress_tokens=[])
model = WhisperForConditionalGeneration(config).eval()
gc = model.generation_config          # what openai/whisper-*'s generation_config.json holds, with tiny token ids
gc.decoder_start_token_id, gc.eos_token_id, gc.pad_token_id = 2, 1, 1
gc.no_timestamps_token_id = 6
gc.is_multilingual = True
gc.lang_to_id = {"<|en|>": 3}
gc.task_to_id = {"transcribe": 4, "translate": 5}
gc.forced_decoder_ids = [[1, None], [2, 4], [3, 6]]
features = torch.randn(1, 8, 32)
if sys.argv[1] == "broken":
    forced = [(1, 3), (2, 4), (3, 6)]   # = processor.get_decoder_prompt_ids(language="english", task="transcribe")
    out = model.generate(input_features=features, forced_decoder_ids=forced, max_new_tokens=5)
else:                                   # fix 0: no forced ids anywhere; language and task as generate() arguments
    model.generation_config.forced_decoder_ids = None
    out = model.generate(input_features=features, language="en", task="transcribe", max_new_tokens=5)
print("generated", out.tolist(), "prompt", out[0, :4].tolist(), flush=True)
'''


def reproduce():
    output = failed(run_script(SCRIPT, args=("broken",)))
    assert "ForceTokensLogitsProcessor" in output and "has already been created" in output, output
    return output


def fixed():
    return succeeded(run_script(SCRIPT, args=("fixed",)), "prompt [2, 3, 4, 6]")

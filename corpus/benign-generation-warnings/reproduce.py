"""A tiny Llama built from a config (no download), in a fresh process each time (the notices are logged with
warning_once, so a second run in the same process would be silent whatever it does):

reproduce(): generate() from two unpadded prompts given as input_ids only, with no pad_token_id in the model's
generation config, then one training step with gradient checkpointing and the config's default use_cache=True.
transformers logs its routine notices ("The attention mask and the pad token id were not set ...", "Setting
`pad_token_id` to `eos_token_id`:2 ..." before 5.14, "`use_cache=True` is incompatible with gradient checkpointing.
Setting `use_cache=False`"); the script finishes. reproduce() returns what the terminal shows.

fixed(): fix 0, nothing was wrong: the run with the notices exited 0 and trained. Fixes 1 and 2: the same run with
attention_mask and pad_token_id passed to generate() and model.config.use_cache = False before training: the same
tokens and the same loss, and none of the notices.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0, 1, 2)

SCRIPT = '''
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM

fix = sys.argv[1:] == ["fixed"]
torch.manual_seed(0)
config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                     bos_token_id=1, eos_token_id=2, pad_token_id=None)
model = LlamaForCausalLM(config).eval()
prompts = torch.tensor([[1, 5, 6, 7, 8], [1, 9, 10, 11, 12]])   # two prompts of the same length: no padding

if fix:   # fix 1: pass what the notices ask for
    out = model.generate(input_ids=prompts, attention_mask=torch.ones_like(prompts), pad_token_id=config.eos_token_id,
                         max_new_tokens=6, do_sample=False)
else:
    out = model.generate(prompts, max_new_tokens=6, do_sample=False)
print("generated", out[:, prompts.shape[1]:].tolist(), flush=True)

model.train()
model.gradient_checkpointing_enable()
if fix:   # fix 2: the KV cache is not used in training
    model.config.use_cache = False
loss = model(input_ids=prompts, labels=prompts).loss
loss.backward()
print("trained one step, loss %.4f" % loss.item(), flush=True)
'''

NOTICES = ("attention mask and the pad token id were not set", "for open-end generation",
           "cannot be inferred from input", "is incompatible with gradient checkpointing")


def _run(mode):
    from kbfix.reproduce import run_script

    code, output = run_script(SCRIPT, args=(mode,), env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "warning"},
                              timeout=300)
    assert code == 0, output
    return output


def _results(output):
    return [line for line in output.splitlines() if line.startswith(("generated", "trained"))]


def reproduce():
    output = _run("notices")
    assert any(n in output for n in NOTICES[:3]), output
    assert NOTICES[3] in output, output
    return output


def fixed():
    noisy = _run("notices")                    # fix 0: the run with the notices finished and trained
    quiet = _run("fixed")                      # fixes 1 and 2
    assert _results(noisy) == _results(quiet) and len(_results(quiet)) == 2, (noisy, quiet)
    assert not any(n in quiet for n in NOTICES), quiet
    return quiet

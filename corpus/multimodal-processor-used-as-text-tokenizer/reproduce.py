"""Text-only code handed a multimodal processor as its ``tokenizer``: a tiny processor (transformers'
``Wav2Vec2Processor``, a ``ProcessorMixin`` like ``Gemma3Processor`` / ``Qwen2VLProcessor``, built from kbfix.reproduce's
word_tokenizer and a default feature extractor, saved with ``save_pretrained`` and loaded back with
``AutoProcessor.from_pretrained``, as Unsloth's FastModel / FastVisionModel and ``AutoProcessor`` hand one back) is
used as the tokenizer of a text pipeline: ``tokenizer.pad_token_id`` and ``tokenizer.convert_tokens_to_ids(...)``.
The processor has neither, so Python raises the real
``AttributeError: 'Wav2Vec2Processor' object has no attribute 'pad_token_id'``.
fixed() applies fix 0: the same text code gets ``processor.tokenizer`` and runs.

A vision processor (Gemma3Processor, LlavaProcessor) needs pillow / torchvision, which the test environment lacks, so
the audio processor stands in: both are ``transformers.processing_utils.ProcessorMixin`` objects, which hold the
tokenizer as an attribute and do not forward tokenizer attributes (no ``__getattr__``; checked with transformers 5.25).
Everything is local and the child runs with HF_HUB_OFFLINE=1: nothing downloads.
"""

from kbfix.reproduce import run_script, succeeded

REQUIRES = ("torch", "transformers", "tokenizers")
FIXES = (0,)

SCRIPT = r'''
import os, sys, tempfile
from transformers import AutoProcessor, Wav2Vec2FeatureExtractor, Wav2Vec2Processor
from kbfix.reproduce import word_tokenizer

folder = os.path.join(tempfile.mkdtemp(), "multimodal-model")
Wav2Vec2Processor(feature_extractor=Wav2Vec2FeatureExtractor(), tokenizer=word_tokenizer([f"w{i}" for i in range(30)])).save_pretrained(folder)

# what the loader returns for a multimodal model, under the name the text-only code uses
tokenizer = AutoProcessor.from_pretrained(folder)
print("loaded:", type(tokenizer).__name__, flush=True)
if sys.argv[1] == "fix":                   # fix 0: the text-only calls go to the processor's tokenizer
    tokenizer = tokenizer.tokenizer

# text-only code (a collator, a GRPO / SFT recipe written for a text model)
pad_id = tokenizer.pad_token_id
ids = tokenizer.convert_tokens_to_ids(["w1", "w2", "w3"])
print("text tokenizer works:", type(tokenizer).__name__, "pad", pad_id, "ids", ids, flush=True)
'''


def _run(mode):
    return run_script(SCRIPT, args=(mode,), env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}, timeout=300)


def reproduce():
    code, output = _run("processor")
    assert code != 0 and "object has no attribute 'pad_token_id'" in output, output
    return output


def fixed():
    return succeeded(_run("fix"), "text tokenizer works:")

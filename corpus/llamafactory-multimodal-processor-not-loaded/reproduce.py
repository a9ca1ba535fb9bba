"""A text-only Qwen2 model folder (config.json of model_type qwen2, tokenizer files) fine-tuned with the multimodal
``qwen2_vl`` template, as with Gemma-3-1B and ``template: gemma3`` (LlamaFactory#7427). LLaMA-Factory's
``load_tokenizer`` asks ``AutoProcessor`` for a processor, gets the tokenizer back (the model type has no processor
class) and drops it, so the processor is None; the template's multimodal plugin then refuses the first example in
``SupervisedDatasetProcessor.preprocess_dataset`` (``_validate_input``: "Processor was not found, please check and
update your model file."), although the example has no image.
fixed() applies fix 3: the text template of the same chat format (``qwen``) for the text model; the same example is
tokenized, with labels on the answer only.

Everything is built here (a tiny word-level tokenizer, a tiny config): nothing is downloaded. LLaMA-Factory checks its
dependency versions at import, so it runs in an overlay of the releases it was verified with (0.9.3 and the
transformers / peft / trl / datasets / accelerate it accepts); elsewhere the test skips it.
"""

import os
import tempfile

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, llamafactory_requires

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = LLAMAFACTORY_OVERLAY
# the "model file" wording is in LLaMA-Factory >= 0.9.3; 0.9.4 and later need torchaudio to import the plugin
REQUIRES = llamafactory_requires(("torch", "transformers", "tokenizers", "omegaconf", "llamafactory"), (0, 9, 3), (4, 45))
FIXES = (3,)

WORDS = ["system", "user", "assistant", "You", "are", "a", "helpful", "What", "is", "two", "plus", "?", "Four", "."]
SPECIAL = ["<|im_start|>", "<|im_end|>"]


def _model_folder():
    """A text-only Qwen2 model folder: config.json and tokenizer files, no processor (there is none for it)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import Qwen2Config, Qwen2TokenizerFast

    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(WORDS)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = Qwen2TokenizerFast(tokenizer_object=core, unk_token="[UNK]", eos_token="<|im_end|>",
                                   pad_token="<|im_end|>", additional_special_tokens=SPECIAL)
    folder = tempfile.mkdtemp()
    tokenizer.save_pretrained(folder)
    Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                num_key_value_heads=1).save_pretrained(folder)
    return folder


def _tokenize(template_name):
    """What LLaMA-Factory's SFT data pipeline does with one example: load_tokenizer, the template, the encoder."""
    from llamafactory.data.processor import SupervisedDatasetProcessor
    from llamafactory.data.template import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments, ModelArguments
    from llamafactory.model.loader import load_tokenizer

    os.environ["HF_HUB_OFFLINE"] = "1"
    module = load_tokenizer(ModelArguments(model_name_or_path=_model_folder()))
    data_args = DataArguments(template=template_name, cutoff_len=128)
    template = get_template_and_fix_tokenizer(module["tokenizer"], data_args)
    encoder = SupervisedDatasetProcessor(template=template, data_args=data_args, **module)
    example = {"_prompt": [[{"role": "user", "content": "What is two plus two ?"}]],
               "_response": [[{"role": "assistant", "content": "Four ."}]],
               "_system": [""], "_tools": [""], "_images": [None], "_videos": [None], "_audios": [None]}
    return module, encoder.preprocess_dataset(example)


def reproduce():
    _tokenize("qwen2_vl")          # a text-only example: the plugin's check runs all the same


def fixed():
    module, batch = _tokenize("qwen")          # fix 3: the text template of the same (ChatML) format
    assert module["processor"] is None         # still no processor: a text model needs none
    labels = [t for t in batch["labels"][0] if t >= 0]
    assert module["tokenizer"].decode(labels).startswith("Four ."), batch

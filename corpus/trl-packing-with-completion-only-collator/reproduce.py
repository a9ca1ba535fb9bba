"""TRL's SFTTrainer is given packing=True together with DataCollatorForCompletionOnlyLM (the collator that masks the
prompt out of the loss). TRL 0.4.5 - 0.14 refuse the pair when the trainer is built; fixed() keeps the collator and
turns packing off, and the first batch's labels mask the prompt and keep the answer.

The check exists only in TRL 0.4.5 - 0.14; with any other release (or none) the test is skipped. The model and the
word-level tokenizer are tiny ones built here (no download).
"""

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("trl==0.12.2", "transformers==4.46.3", "tokenizers==0.20.3", "huggingface_hub==0.34.4", "datasets==4.0.0")
# this module is never installed: it stands for "a TRL release that still has the check (0.4.5 - 0.14)"
REQUIRES = ("torch", "transformers", "tokenizers", "datasets", "trl") + (
    () if release_within("trl", (0, 4, 5), (0, 15)) else ("kbfix_requires_trl_0_4_5_to_0_14",))
FIXES = (0,)

EXAMPLES = [
    "### Question: what is two plus two ? ### Answer: four",
    "### Question: what is one plus two ? ### Answer: three",
]
RESPONSE = "### Answer:"


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = sorted({w for text in EXAMPLES for w in text.split()})
    vocab = {"[PAD]": 0, "[UNK]": 1, "[EOS]": 2, **{w: i + 3 for i, w in enumerate(words)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]", eos_token="[EOS]")


def _trainer(packing, tmp):
    from datasets import Dataset
    from transformers import GPT2Config, GPT2LMHeadModel
    from trl import DataCollatorForCompletionOnlyLM, SFTConfig, SFTTrainer

    tokenizer = _tokenizer()
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_embd=16, n_layer=1, n_head=2, n_positions=64))
    args = SFTConfig(output_dir=tmp, packing=packing, dataset_text_field="text", max_seq_length=16,
                     per_device_train_batch_size=2, report_to=[], use_cpu=True)
    return SFTTrainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": EXAMPLES}),
                      processing_class=tokenizer,
                      data_collator=DataCollatorForCompletionOnlyLM(RESPONSE, tokenizer=tokenizer))


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _trainer(True, tmp)


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        trainer = _trainer(False, tmp)
        batch = next(iter(trainer.get_train_dataloader()))
    labels = batch["labels"][0]
    kept = labels[labels != -100]
    assert 0 < len(kept) < int(batch["attention_mask"][0].sum()), labels   # the answer kept, the question masked

"""Decode the labels of a seq2seq batch in compute_metrics: DataCollatorForSeq2Seq padded them with -100."""

REQUIRES = ("tokenizers", "transformers", "numpy", "torch")
FIXES = (0, 1)


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<pad>", "</s>", "<unk>", "hello", "world", "fine", "tune", "me"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")


def _eval_prediction(tokenizer):
    """What Seq2SeqTrainer hands compute_metrics: predictions and labels, label padding = -100."""
    from transformers import DataCollatorForSeq2Seq

    features = [{"input_ids": tokenizer("hello world")["input_ids"], "labels": tokenizer("fine tune me")["input_ids"]},
                {"input_ids": tokenizer("hello")["input_ids"], "labels": tokenizer("fine")["input_ids"]}]
    batch = DataCollatorForSeq2Seq(tokenizer, return_tensors="np")(features)
    labels = batch["labels"]
    assert (labels == -100).any()
    return labels.copy(), labels  # predictions padded like the labels (the Trainer pads them with -100 too)


def _compute_metrics(tokenizer, preds, labels):
    decoded_preds = tokenizer.batch_decode(preds, skip_special_tokens=True)
    decoded_labels = tokenizer.batch_decode(labels, skip_special_tokens=True)
    return {"exact_match": sum(p == l for p, l in zip(decoded_preds, decoded_labels)) / len(decoded_labels)}


def reproduce():
    tokenizer = _tokenizer()
    preds, labels = _eval_prediction(tokenizer)
    _compute_metrics(tokenizer, preds, labels)


def fixed():
    import numpy as np

    tokenizer = _tokenizer()
    preds, labels = _eval_prediction(tokenizer)
    preds = np.where(preds != -100, preds, tokenizer.pad_token_id)  # fix 0
    labels = np.where(labels != -100, labels, tokenizer.pad_token_id)
    assert _compute_metrics(tokenizer, preds, labels) == {"exact_match": 1.0}
    raw = _eval_prediction(tokenizer)[1][1].tolist()  # fix 1: drop the negative ids
    assert tokenizer.decode([t for t in raw if t >= 0], skip_special_tokens=True) == "fine"

"""A BERT tokenizer folder whose added_tokens.json is written the way transformers >= 4.34 saves it (the base
vocabulary's [PAD] and [UNK] listed again, then one new token), loaded as a slow tokenizer by a release before 4.34:
"ValueError: Non-consecutive added token '[PAD]' found. Should have index 20 but has index 0 in saved vocabulary."
fixed() rewrites added_tokens.json (fix 1: only the new token, numbered from the vocabulary size) and loads it.

Only transformers before 4.34 check the ids; with any other release the test is skipped.
"""

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a transformers release that checks (before 4.34)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('transformers==4.33.3', 'tokenizers==0.13.3', 'huggingface_hub==0.17.3')
REQUIRES = ("transformers",) + (
    () if release_within("transformers", (2, 0), (4, 34)) else ("kbfix_requires_transformers_before_4_34",))
FIXES = (1,)

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [w for w in "the a of to and in is it on for be as at by we".split()]
NEW_TOKEN = "<domain>"


def _folder(added):
    import json
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="kbfix-added-tokens-"))
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    (folder / "added_tokens.json").write_text(json.dumps(added), encoding="utf-8")
    return folder


def reproduce():
    from transformers import BertTokenizer

    # as transformers >= 4.34 writes it: base-vocabulary special tokens too, with their own ids
    folder = _folder({"[PAD]": 0, "[UNK]": 1, NEW_TOKEN: len(VOCAB)})
    BertTokenizer.from_pretrained(str(folder))


def fixed():
    import json

    from transformers import BertTokenizer

    folder = _folder({"[PAD]": 0, "[UNK]": 1, NEW_TOKEN: len(VOCAB)})
    # fix 1: keep only the tokens the base vocabulary lacks, numbered consecutively from its size
    path = folder / "added_tokens.json"
    added = json.loads(path.read_text(encoding="utf-8"))
    vocab = set(VOCAB)
    new = [t for t, _ in sorted(added.items(), key=lambda kv: kv[1]) if t not in vocab]
    path.write_text(json.dumps({t: len(VOCAB) + i for i, t in enumerate(new)}), encoding="utf-8")
    tok = BertTokenizer.from_pretrained(str(folder))
    assert len(tok) == len(VOCAB) + 1, len(tok)
    assert tok.convert_tokens_to_ids(NEW_TOKEN) == len(VOCAB)
    assert tok.convert_tokens_to_ids("[PAD]") == 0

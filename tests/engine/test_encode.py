"""The bundled encoder: numpy fast path == sentence-transformers; --model selects another model."""

import json

import numpy as np
import pytest

from kbfix.engine import encode
from conftest import ROOT, run_kbfix

TEXTS = ["IndexError: list index out of range deepspeed stage_1_and_2 __init__",
         "ValueError: optimizer got an empty parameter list", ""]


def test_bundled_encoder_is_a_sentence_transformers_model_and_numpy_agrees():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(encode.DEFAULT_ENCODER_DIR), device="cpu")
    reference = model.encode(TEXTS[:2], normalize_embeddings=True)
    ours = encode.StaticEncoder.load(encode.DEFAULT_ENCODER_DIR).encode(TEXTS)
    assert np.allclose(reference, ours[:2], atol=1e-5)
    assert not ours[2].any()  # empty text: zero vector, as StaticEmbedding


def test_build_record_exists():
    build = json.loads((encode.DEFAULT_ENCODER_DIR / "BUILD.json").read_text())
    assert build["recipe"].startswith("scripts/encoder_training.py") and build["dim"] > 0


def test_default_path_does_not_import_torch():
    code = ("import sys, kbfix; r = kbfix.diagnose('ValueError: optimizer got an empty parameter list'); "
            "print(r.verdict, any(m in sys.modules for m in ('torch', 'transformers', 'sentence_transformers')))")
    import subprocess, sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.split() == ["match", "False"], out.stderr


@pytest.fixture(scope="module")
def tiny_transformer_model(tmp_path_factory):
    """A small sentence-transformers model built here: a 1-layer BERT with our own tokenizer."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    base = tmp_path_factory.mktemp("tiny-bert")
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    corpus = (ROOT / "corpus" / "no-trainable-parameters" / "entry.md").read_text().splitlines()
    tok.train_from_iterator(corpus, trainers.WordPieceTrainer(vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256)
    BertModel(config).save_pretrained(base / "hf")
    fast.save_pretrained(base / "hf")
    model = SentenceTransformer(modules=[Transformer(str(base / "hf"), max_seq_length=128), Pooling(32, "mean")], device="cpu")
    model.save(str(base / "st"))
    return base / "st"


def test_model_option_uses_that_model(tiny_transformer_model, tmp_path):
    case = ROOT / "corpus" / "no-trainable-parameters" / "cases" / "match-torch-empty-list.txt"
    proc = run_kbfix("diagnose", str(case), "--json", "--model", str(tiny_transformer_model),
                     env={"KBFIX_CACHE_DIR": str(tmp_path)}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["matches"][0]["id"] == "no-trainable-parameters"
    manifest = json.loads(next(tmp_path.glob("index-*/manifest.json")).read_text())
    assert manifest["encoder"].startswith("st:") and manifest["dim"] == 32


def test_model_from_environment(tiny_transformer_model, monkeypatch):
    monkeypatch.setenv("KBFIX_MODEL", str(tiny_transformer_model))
    assert encode.model_setting(None) == str(tiny_transformer_model)
    assert encode.model_setting("other") == "other"
    monkeypatch.setenv("KBFIX_MODEL", "default")
    assert encode.model_setting(None) is None


def test_unloadable_model_is_a_clear_error(tmp_path):
    proc = run_kbfix("diagnose", "-", "--model", str(tmp_path / "missing-model"), input=b"ValueError: x\n",
                     env={"KBFIX_CACHE_DIR": str(tmp_path)}, timeout=300)
    assert proc.returncode == 2 and b"cannot load sentence-transformers model" in proc.stderr
    assert b"Traceback" not in proc.stderr

"""Stage 3b on its own: tokenize and BM25, then Chinese descriptions through the whole engine."""

import pytest

import kbfix
from kbfix.engine.lexical import BM25, Postings, postings_text, tokenize
from kbfix.model import Verdict


def test_identifiers_give_their_parts_and_stopwords_go():
    tokens = tokenize("the model.embed_tokens of LlamaForCausalLM")
    assert "embed_tokens" in tokens and {"embed", "tokens"} <= set(tokens)
    assert "llamaforcausallm" in tokens and {"llama", "causal", "lm"} <= set(tokens)
    assert "the" not in tokens and "of" not in tokens


def test_chinese_runs_become_overlapping_character_pairs():
    assert tokenize("词表大小") == ["词表", "表大", "大小"]
    assert tokenize("显存 OOM") == ["显存", "oom"]
    assert tokenize("卡") == ["卡"]  # a lone character is kept whole


def test_bm25_prefers_the_document_with_the_rare_shared_word():
    docs = [tokenize("cuda out of memory 显存不足"), tokenize("disk full 磁盘空间不足"), tokenize("cuda device assert")]
    scores = BM25.from_docs(docs).scores(tokenize("显存不足"))
    assert scores.index(max(scores)) == 0
    assert scores[2] == 0.0


def test_postings_answer_every_word_as_the_word_table_did():
    docs = [tokenize("cuda out of memory 显存不足"), tokenize("disk full"), tokenize("cuda cuda device assert")]
    postings = postings_text(docs)
    table = {"cuda": "0:1 2:2", "disk": "1:1", "device": "2:1"}
    assert {w: postings.get(w) for w in table} == table
    assert postings.get("absent") is None and postings.get("") is None and postings.get("zzzz", "-") == "-"
    again = Postings(*postings.plain())  # as the prepared corpus keeps and restores it
    assert all(again.get(w) == postings.get(w) for w in postings.words) and len(again) == len(postings)


@pytest.mark.parametrize("title, entry_id", [
    ("训练时显存不足", "cuda-out-of-memory"),
    ("保存checkpoint时磁盘空间不足", "disk-full-during-save"),
])
def test_a_chinese_description_finds_its_entry_in_the_top_three(title, entry_id):
    report = kbfix.diagnose(title)
    assert entry_id in [m.entry.id for m in report.matches[:3]]
    assert report.verdict != Verdict.MATCH  # a description alone is never a confident diagnosis

"""Train kbfix's bundled static encoder from the corpus (used by build_encoder.py and calibrate.py).

Recipe (recorded in kbfix/encoder/BUILD.json by build_encoder.py):
1. a byte-pair tokenizer (lowercased, Chinese split per character) trained on every corpus text;
2. a sentence-transformers ``StaticEmbedding`` (mean of token vectors) trained with an in-batch
   contrastive loss (MultipleNegativesRanking / InfoNCE): each training text is pulled towards
   another text of the same entry and pushed from the other entries' texts in the batch. The texts
   are the entries' titles, "What happened" sections, signature literals, match cases and the titles
   users gave the threads those cases come from (``titles.txt``), each
   augmented (token dropout, crops, frames dropped, message-only) so the encoder learns what in an
   error names its root cause rather than memorising the cases;
3. rows of tokens never seen in training are zeroed, so they do not move a mean.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from kbfix import corpus as corpus_mod
from kbfix import traceback as tb
from kbfix.engine.candidates import primary as primary_guess
from kbfix.engine.documents import query as query_text
from kbfix.engine.documents import signature_literal

DIM = 128
VOCAB = 12000


NEGATIVES_DIR = Path(__file__).resolve().parent / "calibration" / "negatives"
NONE = "__none__"


def negatives() -> list[tuple[str, str]]:
    """Out-of-scope errors (generic Python, web, data, other languages): (name, text)."""
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(NEGATIVES_DIR.glob("*.txt"))]


def entry_texts(corpus, exclude_cases: frozenset[str] = frozenset(),
                exclude_negatives: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Texts per entry: anchors (title and what happened in both languages, signatures) and match cases
    as queries.

    Out-of-scope errors form one more class, ``__none__``: the encoder learns to put them away from
    every entry, so an unrelated error finds no close corpus document.
    """
    texts: dict[str, list[str]] = {e.id: [] for e in corpus.entries}
    texts[NONE] = []
    for name, text in negatives():
        if name not in exclude_negatives:
            log = tb.parse(text)
            texts[NONE].append(query_text(log, primary_guess(log)))
    held_threads = {corpus_mod.thread_of(c.source) for c in corpus.cases
                    if c.source and f"{c.entry_id}/{c.name}" in exclude_cases}
    for entry in corpus.entries:
        texts[entry.id].append(f"{entry.title.en}. {' '.join(entry.tags)}")
        what = entry.section("What happened")
        if what:
            texts[entry.id].append(what[:1500])
        if entry.title.zh:  # Chinese reports and titles: the entry's own Chinese words
            texts[entry.id].append(entry.title.zh)
        what_zh = entry.section("What happened", "zh")
        if what_zh:
            texts[entry.id].append(what_zh[:1500])
        for sig in entry.signatures:
            literal = " ".join(signature_literal(p) for p in (sig.exception, sig.message, sig.text) if p is not None)
            if literal.strip():
                texts[entry.id].append(literal)
        # users' thread titles: short descriptions, as queries (not the title of a held-out case's thread)
        texts[entry.id] += [title for url, title in corpus_mod.read_titles(Path(entry.path))
                            if corpus_mod.thread_of(url) not in held_threads]
    for case in corpus.cases:
        if (case.kind == "nomatch" or case.name.startswith("todo-nomatch")) and f"{case.entry_id}/{case.name}" not in exclude_cases:
            # a near neighbour: its own class is the entry whose signature explains it, if any
            log = tb.parse(case.text)
            owner = _signature_owner(corpus, log, exclude=case.entry_id)
            texts[owner or NONE].append(query_text(log, primary_guess(log)))
            continue
        if case.kind != "match" or f"{case.entry_id}/{case.name}" in exclude_cases:
            continue
        log = tb.parse(case.text)
        trace = primary_guess(log)
        texts[case.entry_id].append(query_text(log, trace))
        if trace is not None:
            texts[case.entry_id].append(f"{trace.final.type}: {trace.final.message.splitlines()[0] if trace.final.message else ''}")
    return texts


def _signature_owner(corpus, log, exclude: str) -> str | None:
    """The one entry (other than ``exclude``) whose signature fully matches the log's error, if any."""
    from kbfix.engine.signatures import match as match_trace

    trace = primary_guess(log)
    owners = {h.entry_id for h in match_trace(corpus.entries, trace, log) if not h.partial and h.entry_id != exclude}
    return owners.pop() if len(owners) == 1 else None


def augment(text: str, rng: random.Random) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    choice = rng.random()
    if choice < 0.25 and len(lines) > 1:
        lines = lines[: max(1, len(lines) // 2)]  # message and the first frames only
    elif choice < 0.45 and len(lines) > 2:
        keep = rng.sample(range(len(lines)), k=max(1, int(len(lines) * 0.6)))
        lines = [lines[i] for i in sorted(keep)]
    words = " ".join(lines).split()
    if len(words) > 4:
        words = [w for w in words if rng.random() > 0.15]
    if len(words) > 30 and rng.random() < 0.5:
        start = rng.randrange(0, len(words) - 20)
        words = words[start:start + rng.randrange(20, 60)]
    return " ".join(words)


def corpus_text_for_tokenizer(corpus) -> list[str]:
    out = []
    for entry in corpus.entries:
        out += [entry.title.en, entry.title.zh, entry.body.en, entry.body.zh]
        out += [f.title.en + " " + f.change for f in entry.fixes]
        out += [title for _, title in corpus_mod.read_titles(Path(entry.path))]
    out += [c.text for c in corpus.cases]
    out += [text for _, text in negatives()]
    return out


def train_tokenizer(corpus):
    return train_tokenizer_on(corpus_text_for_tokenizer(corpus))


def train_tokenizer_on(texts: list[str]):
    """A byte-pair vocabulary of ``VOCAB`` pieces over ``texts``, the same for the same texts.

    BPE without a continuing-subword prefix: the tokenizers WordPiece trainer numbers its ``##`` pieces
    in hash-map order, so two builds from one corpus broke count ties differently, and every rebuild
    moved borderline cases across the confidence line. These pieces are numbered by the merge order.
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, min_frequency=1, special_tokens=["[UNK]", "[PAD]"])
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def train_weights(tokenizer, texts: dict[str, list[str]], *, seed: int = 0, epochs: int = 40, dim: int = DIM):
    """In-batch contrastive training of an EmbeddingBag(mean); returns a numpy weight matrix.

    On one thread: the bag's backward sums each token's gradients in thread order, floating-point sums in
    another order differ in the last bits, and Adam carries those into other weights, so two builds from the
    same texts and seed differed (and moved borderline cases across the confidence line)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train_weights(tokenizer, texts, seed=seed, epochs=epochs, dim=dim)
    finally:
        torch.set_num_threads(threads)


def _train_weights(tokenizer, texts: dict[str, list[str]], *, seed: int, epochs: int, dim: int):
    import numpy as np
    import torch
    import torch.nn.functional as F

    rng = random.Random(seed)
    torch.manual_seed(seed)
    vocab = tokenizer.get_vocab_size()
    bag = torch.nn.EmbeddingBag(vocab, dim, mode="mean")
    torch.nn.init.normal_(bag.weight, std=0.1)
    optim = torch.optim.Adam(bag.parameters(), lr=0.02)
    ids = [eid for eid, items in texts.items() if len(items) >= 2]
    seen = torch.zeros(vocab, dtype=torch.bool)

    def encode(batch: list[str]):
        encodings = tokenizer.encode_batch(batch, add_special_tokens=False)
        flat = [i for e in encodings for i in (e.ids or [1])]
        offsets = np.cumsum([0] + [len(e.ids or [1]) for e in encodings[:-1]])
        t = torch.tensor(flat, dtype=torch.long)
        seen[t] = True
        return F.normalize(bag(t, torch.tensor(offsets, dtype=torch.long)), dim=-1)

    for _ in range(epochs):
        for _ in range(12):  # steps per epoch: each step sees every entry once
            rng.shuffle(ids)
            anchors, positives = [], []
            for eid in ids:
                a, p = rng.sample(texts[eid], 2)
                anchors.append(augment(a, rng))
                positives.append(augment(p, rng))
            logits = encode(anchors) @ encode(positives).T * 20.0
            target = torch.arange(len(ids))
            loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
            optim.zero_grad()
            loss.backward()
            optim.step()
    weights = bag.weight.detach().clone()
    weights[~seen] = 0.0
    return weights.numpy(), float(loss.item())


def save_encoder(tokenizer, weights, folder: Path) -> None:
    """Save as a sentence-transformers model folder (StaticEmbedding), loadable by both paths."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    static = StaticEmbedding(tokenizer, embedding_weights=torch.from_numpy(weights).to(torch.float16).float())
    model = SentenceTransformer(modules=[static], device="cpu")
    model.save(str(folder))
    for found in Path(folder).rglob("tokenizer.json"):
        compact_tokenizer_file(found)


def compact_tokenizer_file(path: Path) -> None:
    """Rewrite a saved byte-pair ``tokenizer.json`` in the form that loads fastest and tokenizes the same: one
    line, and each merge as the string ``"left right"`` (the format tokenizers wrote before 0.20 and still reads)
    instead of a two-item list. Building the merge table from lists was two thirds of the tokenizer's load, which
    every cold ``kbfix`` run on the retrieval path pays. Left as saved when a piece holds a space (the string form
    could not say where it splits; the Bert pre-tokenizer never makes one)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    merges = (raw.get("model") or {}).get("merges") or []
    if any(not isinstance(m, list) or len(m) != 2 or " " in m[0] or " " in m[1] for m in merges):
        return
    raw["model"]["merges"] = [f"{left} {right}" for left, right in merges]
    path.write_text(json.dumps(raw, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def load_corpus(root=None):
    return corpus_mod.load(root, strict=False, validate=True)


def static_encoder(tokenizer, weights, encoder_id: str):
    from kbfix.engine.encode import StaticEncoder

    return StaticEncoder(tokenizer, weights, encoder_id)

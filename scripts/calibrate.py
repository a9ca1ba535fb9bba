"""Fit the confidence calibration (kbfix/engine/calibration.json) from the corpus cases.

    python scripts/calibrate.py [--folds 4]

Rows are (case, entry) feature vectors with label 1 when the entry is the case's root cause. The
cases are the corpus's: real user reports (``# source:`` line) and written ones, each also in every
paste form of :mod:`kbfix.pastes` (a header dropped, glued to Chinese prose, cut mid-line, behind a
vLLM prefix ...), plus out-of-scope negatives (``scripts/calibration/negatives``, real ones
included). The real held-out reports (``scripts/eval/real``) are never read here.

Signatures: one precision per hit level (full, loose, fragment: see kbfix/engine/signatures.py),
the rule-of-succession estimate over every out-of-fold row where a hit of that level fired. Lexical
and dense: a logistic model trained on the rows where no signature fired plus a copy of every
signature row with the signatures blanked, as if the user's library printed a wording no signature
knows yet; those copies are weighted by NEW_WORDING_SHARE, the share of in-scope reports assumed to
arrive in an unknown wording.

To keep the features honest, they are computed out of fold: the cases and negatives are split into K
folds by thread (every paste of one public thread, and every variant of one paste, in the same
fold); for each fold the static encoder is retrained without that fold, and the fold's texts are
scored against an index that also leaves out their own documents. So a case is never scored by an
encoder or an index that has seen it, as with a user's new error.

One logistic model is fitted per variant (hybrid, and each component alone for the evaluation).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encoder_training import (  # noqa: E402
    entry_texts, load_corpus, negatives, static_encoder, train_tokenizer, train_weights,
)

from kbfix import corpus as corpus_mod  # noqa: E402
from kbfix import pastes  # noqa: E402
from kbfix import traceback as tb  # noqa: E402
from kbfix.engine import calibration, index, signatures  # noqa: E402
from kbfix.engine.calibration import FEATURES, SIGNATURE_FEATURES, VARIANTS, Calibration  # noqa: E402
from kbfix.engine.candidates import primary  # noqa: E402
from kbfix.engine.documents import prepare  # noqa: E402
from kbfix.engine.tuning import TuningScorer  # noqa: E402


# Share of in-scope reports assumed to arrive in a wording no signature knows: the blanked copies
# count this much, so the no-signature model does not assume every unknown error is in scope.
NEW_WORDING_SHARE = 0.25


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 200,
                 weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Weighted, L2-regularised logistic regression by Newton's method; returns (bias, weights)."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    sw = np.ones(len(y)) if weight is None else weight
    reg = l2 * np.eye(xb.shape[1])
    reg[0, 0] = 1e-6  # keeps the Newton step defined when a regime is perfectly separated
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -60, 60)))
        grad = xb.T @ (sw * (p - y)) + reg @ w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def _group(kind: str, item) -> str:
    """The fold unit: a real report's thread, else the case or negative itself."""
    if kind != "none" and getattr(item, "source", ""):
        return "thread:" + corpus_mod.thread_of(item.source)
    return f"{kind}:{item.entry_id}/{item.name}" if kind != "none" else f"none:{item[0]}"


def out_of_fold_rows(corpus, folds: int, seed: int, epochs: int, forms: bool = True):
    rng = random.Random(seed)
    match_cases = [c for c in corpus.cases if c.kind == "match"]
    other_cases = [c for c in corpus.cases if c.kind == "nomatch" or c.name.startswith("todo-nomatch")]
    negs = negatives()
    items = [("match", c) for c in match_cases] + [("nomatch", c) for c in other_cases] + [("none", n) for n in negs]
    units = sorted({_group(kind, item) for kind, item in items})
    rng.shuffle(units)
    fold_of = {unit: i % folds for i, unit in enumerate(units)}
    tokenizer = train_tokenizer(corpus)
    prepared = prepare(corpus)
    docs = prepared.docs
    titles_of: dict[str, set[str]] = {}  # a thread -> the sources of its title documents
    for doc in docs:
        if doc.source.startswith("report:"):
            titles_of.setdefault(corpus_mod.thread_of(doc.source.removeprefix("report:")), set()).add(doc.source)
    rows, labels, groups = [], [], []
    hit_stats: dict[str, list[float]] = {}  # "entry/signature" -> [rows where it fired, of them right]
    placeholder = calibration.Calibration(**{**calibration.load().__dict__, "signature_factors": None})
    for fold in range(folds):
        held = [(kind, item) for kind, item in items if fold_of[_group(kind, item)] == fold]
        held_cases = frozenset(f"{c.entry_id}/{c.name}" for kind, c in held if kind in ("match", "nomatch"))
        held_negs = frozenset(n[0] for kind, n in held if kind == "none")
        weights, _ = train_weights(tokenizer, entry_texts(corpus, held_cases, held_negs), seed=seed + fold, epochs=epochs)
        encoder = static_encoder(tokenizer, weights, f"fold{fold}")
        dense = index.build(encoder, docs, corpus.hash)
        base = TuningScorer(corpus.entries, prepared, placeholder, (dense, encoder))
        for kind, item in held:
            text = item.text if kind != "none" else item[1]
            exclude = frozenset({f"case:{item.entry_id}/{item.name}"}) if kind != "none" else frozenset()
            if kind != "none" and item.source:  # the title of the held case's thread is held out with it
                exclude |= titles_of.get(corpus_mod.thread_of(item.source), set())
            scorer = TuningScorer.like(base, exclude=exclude)
            name = f"{item.entry_id}/{item.name}" if kind != "none" else item[0]
            texts = {"as pasted": text}
            if forms:
                texts.update(pastes.variants(text))
            real_lookalike = kind == "nomatch" and bool(item.source)  # another cause: no entry should claim it
            for form, variant in texts.items():
                log = tb.parse(variant)
                group = f"{kind}:{name}:{form}"
                for s in scorer.score(log, primary(log)):
                    if kind == "match":
                        label = 1 if s.entry.id == item.entry_id else 0
                    elif kind == "nomatch":
                        if s.entry.id != item.entry_id and not real_lookalike:
                            continue  # a written near neighbour says nothing about the other entries
                        label = 0
                    else:
                        label = 0
                    rows.append([s.features[f] for f in FEATURES])
                    labels.append(label)
                    groups.append(group)
                    for hit in s.hits:
                        # a signature's own precision: each paste counted once, as written; its fragment
                        # hits (a cut message) happen only in the forms that cut it, so those count there
                        fragment = hit.level == signatures.FRAGMENT
                        if hit.partial or (form != "as pasted" and not fragment):
                            continue
                        # look-alikes were sought out on purpose: half a row each, not their share in the wild
                        weight = 0.5 if kind == "nomatch" else 1.0
                        key = f"{s.entry.id}/{hit.signature.id}" + (calibration.FRAGMENT_KEY if fragment else "")
                        stat = hit_stats.setdefault(key, [0.0, 0.0])
                        stat[0] += weight
                        stat[1] += weight * label
        print(f"fold {fold + 1}/{folds}: {len(held)} held-out texts", file=sys.stderr)
    return np.array(rows, dtype=float), np.array(labels, dtype=float), groups, hit_stats


# A signature's own precision is shrunk towards its level's with this many pseudo-rows.
SHRINK_ROWS = 6


def signature_factors(hit_stats: dict[str, list[float]], precision: dict[str, float],
                      refined: dict[str, tuple[str, ...]] | None = None, pooled_fragment: float | None = None,
                      ) -> dict[str, float]:
    """Per signature: its out-of-fold precision (shrunk towards the level's) over the level's. A full or
    loose hit's factor only lowers it; a fragment's may raise it up to a full hit's precision, except
    on an entry that others refine (``refined``: entry -> its signature ids): its cut message cannot
    show the detail that decides for the refining entry (the flag in a list of arguments, the class in
    a key), so such a fragment is held at most to the pooled fragment rate (``pooled_fragment``), seen
    or not."""
    refined = refined or {}
    factors = {}
    level_frag = precision["sig_frag"]
    held = min(1.0, pooled_fragment / level_frag) if pooled_fragment is not None else 1.0
    for key, (fired, right) in hit_stats.items():
        fragment = key.endswith(calibration.FRAGMENT_KEY)
        level = level_frag if fragment else precision["sig"]
        own = (right + SHRINK_ROWS * level) / (fired + SHRINK_ROWS)
        general = key.split("/", 1)[0] in refined
        cap = (held if general else precision["sig"] / level) if fragment else 1.0
        factor = min(cap, own / level)
        if abs(factor - 1.0) >= 0.005:
            factors[key] = round(factor, 4)
    for entry_id, signature_ids in refined.items():  # a general entry's fragments that no paste form showed
        for signature_id in signature_ids:
            key = f"{entry_id}/{signature_id}{calibration.FRAGMENT_KEY}"
            if key not in hit_stats and abs(held - 1.0) >= 0.005:
                factors[key] = round(held, 4)
    return dict(sorted(factors.items()))


def _rounded(model: dict) -> dict:
    out = {"bias": round(float(model["bias"]), 4), "weights": {k: round(float(v), 4) for k, v in model["weights"].items()}}
    if model.get("signature_precision") is not None:
        out["signature_precision"] = {k: round(float(v), 5) for k, v in model["signature_precision"].items()}
    return out


def top1_report(x, y, groups, model: dict) -> dict:
    """Out-of-fold: for match cases, is the gold entry the top and confident? negatives abstain?"""
    calibration = Calibration.from_json(model)
    logits = [calibration.logit(dict(zip(FEATURES, row))) for row in x]  # >= 0 means confident
    by_group: dict[str, list[tuple[float, float]]] = {}
    for g, logit, label in zip(groups, logits, y):
        by_group.setdefault(g, []).append((logit, label))
    hit = total = abstain_ok = negatives_n = confident_n = wrong = 0
    for g, pairs in by_group.items():
        best_logit, best_label = max(pairs)
        confident = best_logit >= 0
        confident_n += int(confident and not g.startswith("nomatch:"))
        if g.startswith("match:"):
            total += 1
            hit += int(confident and best_label == 1)
            wrong += int(confident and best_label == 0)
        elif g.startswith("none:"):
            negatives_n += 1
            abstain_ok += int(not confident)
            wrong += int(confident)
    return {"match_top1_confident": round(hit / max(total, 1), 3), "match_cases": total,
            "wrong_of_confident": round(wrong / max(confident_n, 1), 3),
            "negatives_abstained": round(abstain_ok / max(negatives_n, 1), 3), "negatives": negatives_n}


def pooled_precision(x: np.ndarray, y: np.ndarray, level: str) -> float:
    """Rule of succession over every (case, entry) row where a hit of that level fired."""
    rows = x[:, FEATURES.index(level)] > 0
    return float((y[rows].sum() + 1) / (rows.sum() + 2))


def fragment_level(hit_stats: dict[str, list[float]], pooled: float) -> float:
    """The precision a fragment hit starts from when its signature has no fragment rows of its own: the
    mean of each signature's own fragment rate (rule of succession), not the pooled rate. A few
    signatures whose distinguishing words come after the cut (a shape of [0], a list of LoRA keys)
    fire as fragments on many cut pastes of other errors and would set every signature's prior."""
    rates = [(right + 1) / (fired + 2) for key, (fired, right) in hit_stats.items()
             if key.endswith(calibration.FRAGMENT_KEY)]
    return sum(rates) / len(rates) if rates else pooled


def fit_variants(x: np.ndarray, y: np.ndarray, groups: list[str],
                 hit_stats: dict[str, list[float]] | None = None) -> tuple[dict, dict, dict]:
    sig_cols = [FEATURES.index(f) for f in SIGNATURE_FEATURES]
    blinded = x.copy()
    blinded[:, sig_cols] = 0.0
    fired = (x[:, sig_cols] > 0).any(axis=1)
    precision = {name: pooled_precision(x, y, name) for name in SIGNATURE_FEATURES}
    if hit_stats:
        precision["sig_frag"] = fragment_level(hit_stats, precision["sig_frag"])
    variants, quality = {}, {}
    for name, feats in VARIANTS.items():
        cols = [FEATURES.index(f) for f in feats if f not in SIGNATURE_FEATURES]
        if not cols:  # signatures alone
            model = {"bias": -30.0, "weights": {}, "signature_precision": precision}
        elif set(SIGNATURE_FEATURES) & set(feats):
            x_none = np.vstack([x[~fired], blinded[fired]])
            y_none = np.concatenate([y[~fired], y[fired]])
            w_none = np.concatenate([np.ones((~fired).sum()), np.full(fired.sum(), NEW_WORDING_SHARE)])
            bias, weights = fit_logistic(x_none[:, cols], y_none, weight=w_none)
            model = {"bias": bias, "weights": dict(zip([FEATURES[c] for c in cols], weights)),
                     "signature_precision": precision}
        else:
            bias, weights = fit_logistic(x[:, cols], y)
            model = {"bias": bias, "weights": dict(zip([FEATURES[c] for c in cols], weights))}
        variants[name] = _rounded(model)
        quality[name] = top1_report(x, y, groups, variants[name])
        if set(SIGNATURE_FEATURES) & set(feats) and cols:
            quality[name + " (signatures blinded)"] = top1_report(blinded, y, groups, variants[name])
    return variants, quality, precision


# The share of confident answers that retrieval alone (no signature) may get wrong, out of fold.
RETRIEVAL_WRONG_SHARE = 0.02
# The share of out-of-scope texts (look-alikes with another cause, errors of no entry) that retrieval
# alone may answer confidently, out of fold: what is not known should be refused (>= 0.95 in all)
RETRIEVAL_NEGATIVE_SHARE = 0.03


def _bar(answers: list[tuple[float, float]]) -> float:
    """The least logit (or margin) an answer must exceed so that at most RETRIEVAL_WRONG_SHARE of the
    answers above it are wrong: ``answers`` are (logit, label) pairs, one per text. The wrong share of
    a prefix is estimated by the rule of succession, as the signatures' precisions are: a handful of
    answers with none wrong does not show a 2% rate (it takes 49 right ones in a row)."""
    answers = sorted(answers, reverse=True)
    wrong, cut = 0, -1  # answers[:cut + 1] is the largest best-first prefix with few enough wrong ones
    for i, (_, label) in enumerate(answers):
        wrong += int(label == 0)
        if wrong + 1 <= RETRIEVAL_WRONG_SHARE * (i + 3):
            cut = i
    # the first answer past the prefix falls below the threshold
    return answers[cut + 1][0] + 1e-3 if cut + 1 < len(answers) else -math.inf


def tune_retrieval_bias(x: np.ndarray, y: np.ndarray, groups: list[str], model: dict) -> float:
    """How far to lower the logistic's bias so that, out of fold, at most RETRIEVAL_WRONG_SHARE of the
    texts that retrieval alone would answer confidently are answered wrong (another entry, or an
    out-of-scope text). The logistic fits each (text, entry) row; the verdict takes the best entry of
    many, which is optimistic: this puts the bar where wrong answers stay rare. The bar is raised
    further where needed so that retrieval alone answers at most RETRIEVAL_NEGATIVE_SHARE of the
    out-of-scope texts (each paste form counted)."""
    calibration = Calibration.from_json({**model, "signature_precision": None, "signature_factors": None})
    sig_cols = [FEATURES.index(f) for f in SIGNATURE_FEATURES]
    best: dict[str, tuple[float, float, bool]] = {}
    for row, label, group in zip(x, y, groups):
        logit = calibration.logit(dict(zip(FEATURES, row)))
        top = best.get(group)
        if top is None or logit > top[0]:
            best[group] = (logit, label, bool((row[sig_cols] > 0).any()))
    bar = _bar([(logit, label) for logit, label, signed in best.values() if not signed])
    negatives = [g for g in best if not g.startswith("match:")]
    answered = sorted((best[g][0] for g in negatives if not best[g][2]), reverse=True)
    allowed = int(RETRIEVAL_NEGATIVE_SHARE * len(negatives))
    if len(answered) > allowed:
        bar = max(bar, answered[allowed] + 1e-3)
    print(f"retrieval bar: logit {bar:.3f}; out-of-scope texts answered by retrieval alone: "
          f"{sum(v > bar for v in answered)} of {len(negatives)}", file=sys.stderr)
    return round(min(0.0, -bar), 4) if bar > -math.inf else 0.0


def retrieval_margin(calibration: Calibration, features: dict[str, float]) -> float | None:
    """How far a row's retrieval logit lies above the least that makes the row confident, given its
    signature evidence s (the noisy-OR of its hits): 1 - (1 - s)(1 - p) >= 0.5 needs
    p >= 1 - 0.5 / (1 - s). With no hit that is the logit itself; a weak hit lowers the bar retrieval
    must reach. None where the signatures alone make the row confident: no retrieval changes it."""
    s = calibration.signature_evidence(features)
    if s >= 0.5:
        return None
    need = 1.0 - 0.5 / (1.0 - s)
    return calibration.retrieval_logit(features) - math.log(need / (1.0 - need))


def tune_corroboration_shift(x: np.ndarray, y: np.ndarray, groups: list[str], model: dict) -> float:
    """How far to lower the retrieval logit where a signature of the entry fired (``model``'s bias
    already tuned). A weak hit (a loose or cut message, a low weight) is not confident alone, and the
    noisy-OR would let retrieval carry it over as if it were independent evidence; but retrieval reads
    the very words the signature matched, and a look-alike shares them. Out of fold, at most
    RETRIEVAL_WRONG_SHARE of the texts that a weak hit plus retrieval answer confidently may be wrong."""
    calibration = Calibration.from_json({**model, "signature_factors": None})
    sig_cols = [FEATURES.index(f) for f in SIGNATURE_FEATURES]
    best: dict[str, tuple[float, float]] = {}  # a text -> (margin, label) of its most confident signed row
    for row, label, group in zip(x, y, groups):
        if not (row[sig_cols] > 0).any():
            continue
        margin = retrieval_margin(calibration, dict(zip(FEATURES, row)))
        if margin is not None and margin > best.get(group, (-math.inf, 0.0))[0]:
            best[group] = (margin, label)
    bar = _bar(list(best.values()))
    print(f"corroboration bar: margin {bar:.3f}; texts a weak signature and retrieval answer: "
          f"{sum(m > bar for m, _ in best.values())} of {len(best)} "
          f"(before: {sum(m > 0 for m, _ in best.values())}, wrong {sum(m > 0 and not lab for m, lab in best.values())})",
          file=sys.stderr)
    return round(min(0.0, -bar), 4) if bar > -math.inf else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--no-forms", action="store_true", help="score each case as pasted only (faster)")
    args = parser.parse_args()
    start = time.time()
    corpus = load_corpus()
    x, y, groups, hit_stats = out_of_fold_rows(corpus, args.folds, args.seed, args.epochs, forms=not args.no_forms)
    variants, quality, precision = fit_variants(x, y, groups, hit_stats)
    general = {g for e in corpus.entries for g in e.refines}
    refined = {e.id: tuple(sig.id for sig in e.signatures) for e in corpus.entries if e.id in general}
    pooled_fragment = pooled_precision(x, y, "sig_frag")
    factors = signature_factors(hit_stats, precision, refined, pooled_fragment)
    shift = tune_retrieval_bias(x, y, groups, variants["hybrid"])
    variants["hybrid"]["bias"] = round(variants["hybrid"]["bias"] + shift, 4)
    corroboration = tune_corroboration_shift(x, y, groups, variants["hybrid"])
    variants["hybrid"]["corroboration_shift"] = corroboration
    quality["hybrid (retrieval bar raised)"] = top1_report(x, y, groups, variants["hybrid"])
    for name in variants:
        if variants[name].get("signature_precision"):
            variants[name]["signature_factors"] = factors
    out = {
        "generated_by": "scripts/calibrate.py", "corpus_hash": corpus.hash, "folds": args.folds,
        "rows": int(len(y)), "positives": int(y.sum()), "features": list(FEATURES),
        "signature_rows": {f: int((x[:, FEATURES.index(f)] > 0).sum()) for f in SIGNATURE_FEATURES},
        "signature_precision": {k: round(v, 5) for k, v in precision.items()},
        "pooled_fragment_precision": round(pooled_fragment, 5),
        "new_wording_share": NEW_WORDING_SHARE,
        "out_of_fold": quality, "variants": variants, "retrieval_bias_shift": round(shift, 4),
        "corroboration_shift": corroboration, "seconds": round(time.time() - start, 1),
    }
    calibration.PATH.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

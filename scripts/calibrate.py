"""Fit the confidence calibration (kbfix/engine/calibration.json) from the corpus cases.

    python scripts/calibrate.py [--folds 4]

Rows are (case, entry) feature vectors with label 1 when the entry is the case's root cause.
Signatures: their precision is the rule-of-succession estimate over every out-of-fold row where
one fired. Lexical and dense: a logistic model trained on the rows where no signature fired plus a
copy of every signature row with the signature blanked, as if the user's library printed a wording no signature
knows yet; those copies are weighted by NEW_WORDING_SHARE, the share of in-scope reports assumed
to arrive in an unknown wording. Without that, signatures separate the corpus cases perfectly and the fit never learns
how much lexical and dense evidence are worth on their own, which is when a user needs them.

To keep the features honest, they are computed out of fold: the match cases and out-of-scope
negatives are split into K folds; for each fold the static encoder is retrained without that fold,
and the fold's texts are scored against an index that also leaves out their own documents. So a
case is never scored by an encoder or an index that has seen it, as with a user's new error.

One logistic model is fitted per variant (hybrid, and each component alone for the evaluation).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encoder_training import (  # noqa: E402
    entry_texts, load_corpus, negatives, static_encoder, train_tokenizer, train_weights,
)

from kbfix import traceback as tb  # noqa: E402
from kbfix.engine import calibration, index  # noqa: E402
from kbfix.engine.calibration import FEATURES, VARIANTS, Calibration  # noqa: E402
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


def out_of_fold_rows(corpus, folds: int, seed: int, epochs: int):
    rng = random.Random(seed)
    match_cases = [c for c in corpus.cases if c.kind == "match"]
    other_cases = [c for c in corpus.cases if c.kind == "nomatch"]
    negs = negatives()
    items = [("match", c) for c in match_cases] + [("nomatch", c) for c in other_cases] + [("none", n) for n in negs]
    rng.shuffle(items)
    assignment = {i: i % folds for i in range(len(items))}
    tokenizer = train_tokenizer(corpus)
    prepared = prepare(corpus)
    docs = prepared.docs
    rows, labels, groups = [], [], []
    placeholder = calibration.load()
    for fold in range(folds):
        held = [items[i] for i in range(len(items)) if assignment[i] == fold]
        held_cases = frozenset(f"{c.entry_id}/{c.name}" for kind, c in held if kind in ("match", "nomatch"))
        held_negs = frozenset(n[0] for kind, n in held if kind == "none")
        weights, _ = train_weights(tokenizer, entry_texts(corpus, held_cases, held_negs), seed=seed + fold, epochs=epochs)
        encoder = static_encoder(tokenizer, weights, f"fold{fold}")
        dense = index.build(encoder, docs, corpus.hash)
        base = TuningScorer(corpus.entries, prepared, placeholder, (dense, encoder))
        for kind, item in held:
            text = item.text if kind != "none" else item[1]
            log = tb.parse(text)
            exclude = frozenset({f"case:{item.entry_id}/{item.name}"}) if kind != "none" else frozenset()
            scored = TuningScorer.like(base, exclude=exclude).score(log, primary(log))
            group = f"{kind}:{item.entry_id}/{item.name}" if kind != "none" else f"none:{item[0]}"
            for s in scored:
                if kind == "match":
                    label = 1 if s.entry.id == item.entry_id else 0
                elif kind == "nomatch":
                    if s.entry.id != item.entry_id:
                        continue  # a near neighbour says nothing about the other entries
                    label = 0
                else:
                    label = 0
                rows.append([s.features[f] for f in FEATURES])
                labels.append(label)
                groups.append(group)
        print(f"fold {fold + 1}/{folds}: {len(held)} held-out texts", file=sys.stderr)
    return np.array(rows, dtype=float), np.array(labels, dtype=float), groups


def _rounded(model: dict) -> dict:
    out = {"bias": round(float(model["bias"]), 4), "weights": {k: round(float(v), 4) for k, v in model["weights"].items()}}
    if model.get("signature_precision") is not None:
        out["signature_precision"] = round(float(model["signature_precision"]), 5)
    return out


def top1_report(x, y, groups, model: dict) -> dict:
    """Out-of-fold: for match cases, is the gold entry the top and confident? negatives abstain?"""
    calibration = Calibration.from_json(model)
    logits = [calibration.logit(dict(zip(FEATURES, row))) for row in x]  # >= 0 means confident
    by_group: dict[str, list[tuple[float, float]]] = {}
    for g, logit, label in zip(groups, logits, y):
        by_group.setdefault(g, []).append((logit, label))
    hit = total = abstain_ok = negatives_n = 0
    for g, pairs in by_group.items():
        best_logit, best_label = max(pairs)
        confident = best_logit >= 0
        if g.startswith("match:"):
            total += 1
            hit += int(confident and best_label == 1)
        elif g.startswith("none:"):
            negatives_n += 1
            abstain_ok += int(not confident)
    return {"match_top1_confident": round(hit / max(total, 1), 3), "match_cases": total,
            "negatives_abstained": round(abstain_ok / max(negatives_n, 1), 3), "negatives": negatives_n}


def fit_variants(x: np.ndarray, y: np.ndarray, groups: list[str]) -> tuple[dict, dict, float]:
    sig = FEATURES.index("sig")
    blinded = x.copy()
    blinded[:, sig] = 0.0
    fired = x[:, sig] > 0
    # rule of succession over every (case, entry) row where a signature fired
    precision = float((y[fired].sum() + 1) / (fired.sum() + 2))
    variants, quality = {}, {}
    for name, feats in VARIANTS.items():
        cols = [FEATURES.index(f) for f in feats if f != "sig"]
        if not cols:  # signatures alone
            model = {"bias": -30.0, "weights": {}, "signature_precision": precision}
        elif "sig" in feats:
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
        if "sig" in feats and cols:
            quality[name + " (signatures blinded)"] = top1_report(blinded, y, groups, variants[name])
    return variants, quality, precision


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    start = time.time()
    corpus = load_corpus()
    x, y, groups = out_of_fold_rows(corpus, args.folds, args.seed, args.epochs)
    variants, quality, precision = fit_variants(x, y, groups)
    out = {
        "generated_by": "scripts/calibrate.py", "corpus_hash": corpus.hash, "folds": args.folds,
        "rows": int(len(y)), "positives": int(y.sum()), "features": list(FEATURES),
        "signature_rows": int((x[:, FEATURES.index("sig")] > 0).sum()), "signature_precision": round(precision, 5),
        "new_wording_share": NEW_WORDING_SHARE,
        "out_of_fold": quality, "variants": variants, "seconds": round(time.time() - start, 1),
    }
    calibration.PATH.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

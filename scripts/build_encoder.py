"""Build the bundled encoder kbfix/encoder/ from the corpus (see encoder_training.py for the recipe).

    python scripts/build_encoder.py [--seed 0] [--epochs 40]

Writes a sentence-transformers folder (one StaticEmbedding module, float16 weights) and BUILD.json
with the recipe, the corpus hash and the library versions used. Deterministic for a given seed,
corpus and library versions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encoder_training import DIM, VOCAB, entry_texts, load_corpus, save_encoder, train_tokenizer, train_weights  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "kbfix" / "encoder"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    start = time.time()
    corpus = load_corpus()
    tokenizer = train_tokenizer(corpus)
    texts = entry_texts(corpus)
    weights, loss = train_weights(tokenizer, texts, seed=args.seed, epochs=args.epochs)
    tmp = Path(tempfile.mkdtemp())
    save_encoder(tokenizer, weights, tmp / "encoder")
    build = {
        "recipe": "scripts/encoder_training.py: byte-pair tokenizer + StaticEmbedding, in-batch contrastive loss",
        "dim": DIM, "vocab_target": VOCAB, "vocab": tokenizer.get_vocab_size(), "seed": args.seed,
        "epochs": args.epochs, "final_loss": round(loss, 4), "corpus_hash": corpus.hash,
        "entries": len(corpus.entries), "training_texts": sum(len(v) for v in texts.values()),
        "versions": {p: metadata.version(p) for p in ("torch", "sentence-transformers", "tokenizers")},
        "seconds": round(time.time() - start, 1),
    }
    weights = next((tmp / "encoder").rglob("model.safetensors"))
    build["weights_bytes"] = weights.stat().st_size
    build["weights_sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    (tmp / "encoder" / "BUILD.json").write_text(json.dumps(build, indent=1) + "\n")
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.move(str(tmp / "encoder"), str(args.out))
    print(json.dumps(build, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

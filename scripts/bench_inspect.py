"""Time ``kbfix inspect`` on a fabricated 7B-sized sharded checkpoint and report its peak memory.

The checkpoint is real as far as kbfix can tell without reading tensor data: a Qwen2-7B or
Llama-2-7B ``config.json``, ``model.safetensors.index.json`` and shard files whose safetensors
headers declare the real tensor shapes; each shard's data section is a sparse hole (the file is
truncated to the declared size), so nothing like 15 GB is written.

    python scripts/bench_inspect.py                 # both models, 5 runs each
    python scripts/bench_inspect.py --runs 9 --model qwen2-7b

Each run is a fresh interpreter (cold: imports, meta-device model, header reads) that reports the
time of ``inspect_paths`` alone, its tracemalloc peak, and the process's ru_maxrss before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = {
    # config.json of Qwen/Qwen2-7B and meta-llama/Llama-2-7b-hf (the fields that set shapes)
    "qwen2-7b": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 3584,
                 "intermediate_size": 18944, "num_hidden_layers": 28, "num_attention_heads": 28,
                 "num_key_value_heads": 4, "vocab_size": 152064, "max_position_embeddings": 131072,
                 "tie_word_embeddings": False, "torch_dtype": "bfloat16"},
    "llama-2-7b": {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
                   "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
                   "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
                   "tie_word_embeddings": False, "torch_dtype": "float16"},
}
SHARD_BYTES = 4 * 1024**3


def shapes(config: dict) -> dict[str, tuple[int, ...]]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    values = {k: v for k, v in config.items() if k != "model_type"}
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(config["model_type"], **values))
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def fabricate(folder: Path, config: dict) -> int:
    """Write config, index and header-only sparse shards; return the declared total size."""
    tensors = shapes(config)
    shards: list[dict[str, tuple[int, ...]]] = [{}]
    size = 0
    for name, shape in tensors.items():
        nbytes = 2 * _count(shape)
        if size and size + nbytes > SHARD_BYTES:
            shards.append({})
            size = 0
        shards[-1][name] = shape
        size += nbytes
    weight_map, total = {}, 0
    for i, shard in enumerate(shards, 1):
        file = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        total += _header_only(folder / file, shard)
        weight_map.update(dict.fromkeys(shard, file))
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2))
    return total


def _count(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


def _header_only(path: Path, tensors: dict[str, tuple[int, ...]]) -> int:
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in tensors.items():
        nbytes = 2 * _count(shape)
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        f.truncate(8 + len(raw) + offset)  # a hole: no data blocks are written
    return offset


def once(folder: str) -> None:
    """One cold and one warm measurement in this fresh interpreter; prints a JSON line.

    Cold: the first ``inspect_paths`` of the process, with its lazy imports of torch and
    transformers. Warm: again with kbfix's caches cleared (headers re-read, model rebuilt on meta).
    tracemalloc slows imports a hundredfold, so it runs only around the warm call.
    """
    import tracemalloc

    from kbfix.introspect import clear_caches, inspect_paths

    before = _peak_rss_mib()
    t0 = time.perf_counter()
    findings = inspect_paths([folder])
    cold = time.perf_counter() - t0
    after_cold = _peak_rss_mib()
    clear_caches()
    t0 = time.perf_counter()
    inspect_paths([folder])
    warm = time.perf_counter() - t0
    clear_caches()
    tracemalloc.start()
    inspect_paths([folder])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"cold_s": cold, "warm_s": warm, "tracemalloc_peak_mib": peak / 2**20,
                      "rss_before_mib": before, "rss_peak_mib": after_cold,
                      "findings": [f.kind for f in findings],
                      "supports": sorted({e for f in findings for e in f.supports})}))


def _peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would carry the parent's peak over exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(name: str, runs: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"kbfix-bench-{name}-"))
    try:
        # fabricated in a child too, so this process stays small
        done = subprocess.run([sys.executable, __file__, "--fabricate", name, str(folder)], capture_output=True,
                              text=True, check=True)
        declared = int(done.stdout)
        on_disk = sum(os.stat(p).st_blocks * 512 for p in folder.iterdir())
        results = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, __file__, "--once", str(folder)], capture_output=True,
                                  text=True, check=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        shards = len(list(folder.glob("*.safetensors")))
    finally:
        shutil.rmtree(folder)
    median = {k: statistics.median(r[k] for r in results) for k in results[0] if k.endswith(("_s", "_mib"))}
    return {"model": name, "shards": shards, "declared_gb": declared / 1e9, "on_disk_mb": on_disk / 1e6,
            "runs": runs, **median, "findings": results[0]["findings"], "supports": results[0]["supports"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", choices=sorted(CONFIGS), action="append")
    parser.add_argument("--once", help=argparse.SUPPRESS)
    parser.add_argument("--fabricate", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        once(args.once)
        return
    if args.fabricate:
        print(fabricate(Path(args.fabricate[1]), CONFIGS[args.fabricate[0]]))
        return
    for name in args.model or sorted(CONFIGS):
        r = bench(name, args.runs)
        print(f"{r['model']}: {r['shards']} shards, {r['declared_gb']:.1f} GB declared ({r['on_disk_mb']:.1f} MB "
              f"on disk), median of {r['runs']} cold runs")
        print(f"  inspect_paths cold {r['cold_s'] * 1000:8.0f} ms   (first call: imports torch + transformers)")
        print(f"  inspect_paths warm {r['warm_s'] * 1000:8.0f} ms   (caches cleared: headers, meta model)")
        print(f"  tracemalloc peak   {r['tracemalloc_peak_mib']:8.1f} MiB   (Python allocations of one warm call)")
        print(f"  peak RSS           {r['rss_peak_mib']:8.1f} MiB   (whole process; {r['rss_before_mib']:.1f} MiB "
              "before the first call)")
        print(f"  findings           {', '.join(r['findings'])}; supports: {r['supports'] or 'none'}")


if __name__ == "__main__":
    main()

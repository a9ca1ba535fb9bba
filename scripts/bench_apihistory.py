"""Time and memory of kbfix.apihistory: per library, the first query in a fresh process (cold: read,
decompress, split; then the query), and the same queries again (warm).

    python scripts/bench_apihistory.py

Each library is measured in its own subprocess, so no library's data is already in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r'''
import json, sys, time, tracemalloc
lib = sys.argv[1]
t0 = time.perf_counter()
import kbfix.apihistory as ah
t_import = time.perf_counter() - t0
module = ah.manifest()["libraries"][lib]["roots"][0]
last = ah.releases(lib)[-1]
tracemalloc.start()
t1 = time.perf_counter()
history = ah._history(lib)
t_load = time.perf_counter() - t1
t2 = time.perf_counter()
ah.symbol_releases(lib, module, "__version__")
t_symbol = time.perf_counter() - t2
names = sorted(history.funcs(module)) or ["x"]
t3 = time.perf_counter()
ah.function_releases(lib, module + "." + names[0])
ah.signature(lib, module + "." + names[0], last)
t_func = time.perf_counter() - t3
peak = tracemalloc.get_traced_memory()[1]
warm = []
for _ in range(200):
    t = time.perf_counter()
    ah.symbol_releases(lib, module, "__version__")
    ah.signature(lib, module + "." + names[0], last)
    warm.append(time.perf_counter() - t)
warm.sort()
t4 = time.perf_counter()
ah.find_symbol("from_pretrained")
t_find = time.perf_counter() - t4
print(json.dumps({"import_ms": t_import * 1e3, "load_ms": t_load * 1e3, "first_symbol_ms": t_symbol * 1e3,
                  "first_signature_ms": t_func * 1e3, "peak_mb": peak / 1e6, "warm_us": warm[100] * 1e6,
                  "find_symbol_all_libs_ms": t_find * 1e3}))
'''


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from kbfix import apihistory

    print(f"{'library':22s} {'load ms':>8s} {'1st sym':>8s} {'1st sig':>8s} {'peak MB':>8s} {'warm us':>8s}")
    for lib in apihistory.libraries():
        out = subprocess.run([sys.executable, "-c", PROBE, lib], cwd=ROOT, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"{lib:22s} {r['load_ms']:8.1f} {r['first_symbol_ms']:8.1f} {r['first_signature_ms']:8.1f} "
              f"{r['peak_mb']:8.1f} {r['warm_us']:8.1f}")
    print(f"import kbfix.apihistory: {r['import_ms']:.1f} ms; find_symbol over all libraries, cold: "
          f"{r['find_symbol_all_libs_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

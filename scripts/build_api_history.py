"""Build kbfix/data/apihistory/: the API history of the fine-tuning stack, read from released packages.

    python scripts/build_api_history.py [--cache /work/pkgcache] [--only transformers,peft] [--jobs 2]
    python scripts/build_api_history.py --only flax,optax,orbax-checkpoint --chosen-only   # those alone
    python scripts/build_api_history.py --only axolotl,xtuner --chosen-only --keep-unsettled

For every covered library it lists the releases on the package index (``pip index versions``),
keeps the ones the library's policy asks for (every release, or the last patch of every minor, from
the series current in December 2023 on; for the libraries real reports still meet in older installs,
also the releases before that window, from ``Library.older`` on, under their own policy), downloads each with ``pip download --no-deps`` (wheels where
one exists, else the sdist) and reads its sources with ``ast`` only: nothing is imported. Per
release it records public modules, the names each offers, classes with their methods, the signature
of every public function and method, and the names imported from the other covered libraries; it
then writes one gzip text file per library (format: ``kbfix/apihistory/codec.py``) with version
ranges per symbol and per signature, and ``manifest.json``.

What a module "offers": its top-level defs, classes (and ``Class.method``), assignments, ``__all__``;
in a package ``__init__`` also every ``from x import y``, star import and lazy import table
(transformers' ``_import_structure`` and ``define_import_structure``/TYPE_CHECKING style, trl's and
huggingface_hub's ``_SUBMOD_ATTRS``); in a plain module also names it takes from private modules of
its own library (``jax.numpy`` from ``jax._src``) and from star imports of its own library.

Restartable: downloads stay in ``<cache>/dist``, per-file parse results in ``<cache>/files`` and
per-release results in ``<cache>/parsed``; a rerun only does what is missing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from api_extract import VERSION  # noqa: E402
from api_release import PARTIAL, RELEASE_FORMAT, Release, read_release, settle_partial  # noqa: E402
from kbfix.apihistory.codec import encode, encode_ranges  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kbfix" / "data" / "apihistory"
MAC = ("--only-binary=:all:", "--platform", "macosx_14_0_arm64", "--python-version", "3.11")


@dataclass(frozen=True)
class Library:
    name: str                      # the distribution name on the index
    roots: tuple[str, ...]         # import packages read from the archive
    since: str                     # first minor series covered (the one current in December 2023)
    policy: str = "minor"          # "minor": last patch of each minor; "patch": of each patch; "all": every release
    pip_args: tuple[str, ...] = ()  # extra `pip download` arguments (platform of a cheaper wheel)
    older: str = ""                # first minor series of the older releases, read before the window
    older_policy: str = "minor"    # their policy: real reports still come from 2020-2023 installs


LIBRARIES = (
    Library("transformers", ("transformers",), "4.36", "all", older="3.0"),
    Library("peft", ("peft",), "0.7", "all", older="0.1", older_policy="all"),
    Library("trl", ("trl",), "0.7", "all", older="0.1", older_policy="all"),
    Library("accelerate", ("accelerate",), "0.25", "all", older="0.1"),
    Library("datasets", ("datasets",), "2.16", "all", older="1.0"),
    Library("huggingface_hub", ("huggingface_hub",), "0.20", "all", older="0.1"),
    Library("tokenizers", ("tokenizers",), "0.15", "all"),
    Library("safetensors", ("safetensors",), "0.4", "all"),
    Library("deepspeed", ("deepspeed",), "0.12", "all", older="0.3"),
    Library("bitsandbytes", ("bitsandbytes",), "0.41"),
    Library("sentence-transformers", ("sentence_transformers",), "2.2", "all", older="0.3"),
    Library("flax", ("flax",), "0.7", "all", older="0.3", older_policy="all"),
    Library("optax", ("optax",), "0.1", "all", older="0.0", older_policy="all"),
    Library("orbax-checkpoint", ("orbax.checkpoint",), "0.4", "all", older="0.1", older_policy="all"),
    Library("jax", ("jax",), "0.4", "all", older="0.2", older_policy="all"),
    Library("unsloth", ("unsloth",), "2023.12", "all"),
    Library("unsloth_zoo", ("unsloth_zoo",), "2023.12", "all"),
    Library("llamafactory", ("llamafactory",), "0.7", "all"),
    Library("ms-swift", ("swift",), "1.5", "all"),
    # torch's Linux wheels carry CUDA (~800 MB): the macOS arm64 wheel has the same Python sources.
    Library("torch", ("torch",), "2.1", "minor", MAC),
    Library("vllm", ("vllm",), "0.2"),
    Library("diffusers", ("diffusers",), "0.21", older="0.3"),
    # sglang's wheel (40 MB, 150 releases since 2024) changes within a minor: the last post of each patch from 0.4 on
    Library("sglang", ("sglang",), "0.4", "patch", older="0.1"),
    Library("llmcompressor", ("llmcompressor",), "0.1", "all"),
    Library("llama-recipes", ("llama_recipes",), "0.0", "all"),
    Library("llama-cookbook", ("llama_cookbook",), "0.0", "all"),
    Library("timm", ("timm",), "0.9", "all", older="0.3"),
    Library("open_clip_torch", ("open_clip",), "2.23", "all", older="1.0"),
    Library("lightning", ("lightning",), "2.1", "all", older="2.0"),
    Library("pytorch-lightning", ("pytorch_lightning",), "2.1", "all", older="1.0"),
    Library("xtuner", ("xtuner",), "0.1", "all"),
    Library("axolotl", ("axolotl",), "0.5", "all"),
    Library("liger-kernel", ("liger_kernel",), "0.0", "all"),
)
# Series start within their minor for fast movers: first release of the window (December 2023).
FIRST = {"jax": "0.4.23", "optax": "0.1.7", "orbax-checkpoint": "0.4.7", "deepspeed": "0.12.5",
         "flax": "0.7.5", "sentence-transformers": "2.2.2", "bitsandbytes": "0.41.3", "timm": "0.9.12",
         "pytorch-lightning": "2.1.3", "lightning": "2.1.3"}


def _version(text: str):
    from packaging.version import Version

    return Version(text)


def index_versions(lib: Library, cache: Path) -> list[str]:
    """Final releases on the index (cached per day in <cache>/index)."""
    path = cache / "index" / f"{lib.name}.txt"
    if not path.exists() or time.time() - path.stat().st_mtime > 86400:
        env = dict(os.environ, PIP_CONFIG_FILE=os.devnull)
        out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", lib.name],
                             capture_output=True, text=True, env=env, check=True).stdout
        line = next(x for x in out.splitlines() if x.startswith("Available versions:"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(line)
    listed = path.read_text().split(":", 1)[1].split(",")
    return [v.strip() for v in listed if v.strip()]


def select(lib: Library, versions: list[str]) -> list[str]:
    """The releases a library's policy covers, ascending: the window (from the series current in
    December 2023, every release or the last patch of each minor), and before it the older releases
    from ``lib.older`` on under ``lib.older_policy``."""
    since = _version(lib.since)
    first = max(_version(FIRST.get(lib.name, "0")), since)
    older = _version(lib.older) if lib.older else None
    window, before = [], []
    for text in versions:
        v = _version(text)
        if v.is_prerelease or v.is_devrelease or v.local:
            continue
        if v >= first:
            window.append(v)
        elif older is not None and v.release[:2] >= older.release[:2]:
            before.append(v)
    return [str(v) for v in _policy(before, lib.older_policy) + _policy(window, lib.policy)]


def _policy(versions: list, policy: str) -> list:
    versions = sorted(versions)
    if policy in ("minor", "patch"):
        last: dict[tuple, object] = {}
        for v in versions:
            last[v.release[:2 if policy == "minor" else 3]] = v
        versions = sorted(last.values())
    return versions


def download(lib: Library, version: str, cache: Path) -> Path | None:
    """The archive of one release (downloaded once into <cache>/dist/<lib>/<version>/)."""
    folder = cache / "dist" / lib.name / version
    found = [p for p in folder.glob("*") if p.suffix in (".whl", ".gz", ".zip")] if folder.exists() else []
    if found:
        return found[0]
    if (folder / "FAILED").exists():  # a release that could not be had before; delete the file to retry
        return None
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull)  # no machine-wide constraints (they cap torch)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder),
               f"{lib.name}=={version}", *lib.pip_args]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        (folder / "FAILED").write_text(result.stderr[-4000:])
        print(f"  download failed: {lib.name} {version}: {result.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    found = [p for p in folder.glob("*") if p.suffix in (".whl", ".gz", ".zip")]
    return found[0] if found else None


def covered_roots() -> dict[str, str]:
    return {root: lib.name for lib in LIBRARIES for root in lib.roots}


def parse_library(lib: Library, releases: list[tuple[str, str]], cache: Path) -> dict[str, Release]:
    """Every release's facts, from <cache>/parsed when there, else read from the archive."""
    file_cache_path = cache / "files" / f"{lib.name}.json.gz"
    file_cache: dict[str, list] = {}
    if file_cache_path.exists():
        file_cache = json.loads(gzip.decompress(file_cache_path.read_bytes()))
    dirty = False
    out: dict[str, Release] = {}
    for version, archive in releases:
        path = cache / "parsed" / lib.name / f"{version}.v{VERSION}.{RELEASE_FORMAT}.json.gz"
        if path.exists():
            out[version] = Release.from_json(json.loads(gzip.decompress(path.read_bytes())))
            continue
        started = time.time()
        release = read_release(Path(archive), lib.roots, covered_roots(), file_cache)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps(release.to_json()).encode(), compresslevel=5))
        out[version] = release
        dirty = True
        print(f"  parsed {lib.name} {version}: {len(release.modules)} modules, {len(release.funcs)} callables "
              f"({time.time() - started:.1f}s)", flush=True)
    if dirty:
        file_cache_path.parent.mkdir(parents=True, exist_ok=True)
        file_cache_path.write_bytes(gzip.compress(json.dumps(file_cache).encode(), compresslevel=3))
    return out


def merge(parsed: dict[str, Release], order: list[str], dataclasses: set[str]) -> dict[str, list[str]]:
    """Per-release facts -> the sections of the library's file (see kbfix/apihistory/codec.py).
    ``dataclasses``: the dataclass names of every covered library (see api_release.settle_partial)."""
    modules: dict[str, set[int]] = {}
    symbols: dict[str, dict[tuple[str, str], set[int]]] = {}
    funcs: dict[str, dict[str, dict[str, set[int]]]] = {}
    imports: dict[str, dict[tuple[str, str], set[int]]] = {}
    for index, version in enumerate(order):
        release = parsed[version]
        for module in release.modules:
            modules.setdefault(module, set()).add(index)
        for module, names in release.symbols.items():
            table = symbols.setdefault(module, {})
            for name, origin in names.items():
                if "." in name and f"{module}:{name}" in release.funcs:
                    continue  # a method: its releases are those of its signatures (@funcs)
                if origin.startswith(module + "."):
                    origin = origin[len(module):]  # relative: ".configuration_llama"
                table.setdefault((name, origin), set()).add(index)
        for key, sig in release.funcs.items():
            module, _, path = key.partition(":")
            sig = settle_partial(sig, dataclasses)
            funcs.setdefault(module, {}).setdefault(path, {}).setdefault(sig, set()).add(index)
        for other, module, name in release.imports:
            imports.setdefault(other, {}).setdefault((module, name or "-"), set()).add(index)
    sig_ids: dict[str, int] = {}
    for module in sorted(funcs):
        for path in sorted(funcs[module]):
            for sig in funcs[module][path]:
                sig_ids.setdefault(sig, len(sig_ids))
    sections = {
        "releases": [" ".join(order)],
        "modules": [f"{m}\t{encode_ranges(r)}" for m, r in sorted(modules.items())],
        "symbols": ["\t".join([m] + [f"{n} {encode_ranges(r)}" + (f" {o}" if o else "")
                                     for (n, o), r in sorted(t.items())]) for m, t in sorted(symbols.items())],
        "sigs": list(sig_ids),
        "funcs": ["\t".join([m] + [f"{p} " + ";".join(f"{sig_ids[s]}:{encode_ranges(r)}"
                                                       for s, r in sorted(v.items(), key=lambda x: min(x[1])))
                                   for p, v in sorted(t.items())]) for m, t in sorted(funcs.items())],
        "imports": ["\t".join([o] + [f"{m} {n} {encode_ranges(r)}" for (m, n), r in sorted(t.items())])
                    for o, t in sorted(imports.items())],
    }
    return sections


def prepare_library(lib: Library, cache: Path) -> tuple[list[tuple[str, str]], list[str], set[str], set[str]]:
    """Download and parse every selected release: (version, archive) pairs, versions that failed, the
    names of the dataclasses the library defines, and the bases its dataclasses have that it could not read."""
    started = time.time()
    versions = select(lib, index_versions(lib, cache))
    with ThreadPoolExecutor(4) as pool:
        archives = list(pool.map(lambda v: (v, download(lib, v, cache)), versions))
    got = [(v, str(a)) for v, a in archives if a is not None]
    parsed = parse_library(lib, got, cache)
    print(f"{lib.name}: {len(got)} releases parsed, {time.time() - started:.0f}s", flush=True)
    tails = [sig.rpartition("," + PARTIAL)[2] for r in parsed.values() for sig in r.funcs.values()
             if "," + PARTIAL in sig]
    unread = {n for tail in tails if "," not in tail for n in tail.split("|")}
    return got, [v for v, a in archives if a is None], {n for r in parsed.values() for n in r.dataclasses}, unread


def write_library(lib: Library, cache: Path, got: list[tuple[str, str]], missing: list[str],
                  dataclasses: set[str]) -> dict:
    parsed = parse_library(lib, got, cache)
    order = [v for v, _ in got if parsed[v].modules]
    empty = [v for v, _ in got if not parsed[v].modules]
    data = encode(merge(parsed, order, dataclasses))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{lib.name}.txt.gz").write_bytes(data)
    print(f"{lib.name}: {len(order)} releases, {len(data) / 1e6:.2f} MB", flush=True)
    older = {"older": lib.older, "older_policy": lib.older_policy} if lib.older else {}
    return {"name": lib.name, "extractor": VERSION, "roots": list(lib.roots), "policy": lib.policy, "since": lib.since, **older,
            "releases": order, "missing": missing + empty,
            "archives": sorted({Path(a).suffix.lstrip(".") for _, a in got}), "bytes": len(data)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/work/pkgcache"))
    parser.add_argument("--only", default="", help="comma-separated library names")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chosen-only", action="store_true",
                        help="with --only: read only the chosen libraries' releases; their dataclass bases from other "
                             "libraries are then not settled (right for libraries that extend no other library's "
                             "dataclass, such as the JAX stack)")
    parser.add_argument("--keep-unsettled", action="store_true",
                        help="with --chosen-only: count every base a chosen library's dataclass could not read as a "
                             "dataclass, so its signature stays open (axolotl's configs extend TrainingArguments and "
                             "TRL's configs, which are not read then); a mixin's dataclass then reads as open too")
    args = parser.parse_args(argv)
    chosen = [lib for lib in LIBRARIES if not args.only or lib.name in args.only.split(",")]
    started = time.time()
    read = chosen if args.chosen_only and args.only else LIBRARIES
    with ProcessPoolExecutor(args.jobs) as pool:
        prepared = dict(zip(read, pool.map(prepare_library, read, [args.cache] * len(read))))
    # Every library is prepared (cheap when cached; --chosen-only skips the others): whether a base class
    # is a dataclass is settled across libraries (trl's SFTConfig extends transformers' TrainingArguments).
    dataclasses = {name for _, _, names, _ in prepared.values() for name in names}
    if args.keep_unsettled:
        dataclasses |= {name for _, _, _, unread in prepared.values() for name in unread}
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(write_library, chosen, [args.cache] * len(chosen),
                                *zip(*[prepared[lib][:2] for lib in chosen]), [dataclasses] * len(chosen)))
    manifest_path = OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"libraries": {}}
    for kept in manifest["libraries"].values():  # libraries not rebuilt keep the extractor they were read with
        kept.setdefault("extractor", manifest.get("extractor", VERSION))
    for result in results:
        manifest["libraries"][result.pop("name")] = result
    manifest["libraries"] = {k: manifest["libraries"][k] for k in [lib.name for lib in LIBRARIES]
                             if k in manifest["libraries"]}
    import packaging

    manifest.update({
        "format": 1, "extractor": VERSION, "built": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "tools": {"python": platform.python_version(), "pip": _pip_version(), "packaging": packaging.__version__},
        "bytes": sum(v["bytes"] for v in manifest["libraries"].values()),
    })
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    write_coverage(manifest, OUT / "README.md")
    print(f"done in {time.time() - started:.0f}s; shipped {manifest['bytes'] / 1e6:.2f} MB")
    return 0


def write_coverage(manifest: dict, readme: Path) -> None:
    """The coverage table of the README, between its coverage markers, from the manifest."""
    rows = ["| library | policy | releases | first | last | read from | not read |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, info in manifest["libraries"].items():
        got = info["releases"]
        policy = info["policy"] + (f" (before {info['since']}: {info['older_policy']})" if info.get("older") else "")
        rows.append(f"| {name} | {policy} | {len(got)} | {got[0]} | {got[-1]} | "
                    f"{', '.join(info['archives'])} | {', '.join(info['missing']) or '-'} |")
    text = readme.read_text(encoding="utf-8")
    table = "\n".join(rows) + "\n"
    text = re.sub(r"(<!-- coverage[^\n]*-->\n).*?(<!-- /coverage -->)", lambda m: m.group(1) + table + m.group(2),
                  text, flags=re.S)
    readme.write_text(text, encoding="utf-8")


def _pip_version() -> str:
    out = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True).stdout
    match = re.match(r"pip (\S+)", out)
    return match.group(1) if match else "?"


if __name__ == "__main__":
    sys.exit(main())

"""Check the shipped API history against the real packages, not through the ast code that built it.

    python scripts/check_api_history.py [--claims 200] [--seed 11] [--cache /work/pkgcache] [--only diffusers]

Draws claims from the shipped data (seeded): a public module offers a name in a release (present) or
does not although other releases have it (absent); a function has a parameter in a release (present)
or lacks one that other releases have (absent). Each sampled release is installed with
``pip install --no-deps --target <tmp>`` and every claim is checked in a subprocess by ``importlib``
and ``inspect.signature`` over the installed copy (with the host environment's dependencies); where
importing fails (a dependency is missing or too new, a native build for another platform) the claim is
checked by an independent reading of the file text (regular expressions, no ast). Prints the share of
claims that agree, per method, and the ones that disagree.

Measured 2026-12-03 (seed 11, 200 claims, data of that day): see kbfix/data/apihistory/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kbfix import apihistory  # noqa: E402
from kbfix.apihistory import Signature  # noqa: E402
from kbfix.apihistory.history import LibraryHistory  # noqa: E402

MAC = ("--only-binary=:all:", "--platform", "macosx_14_0_arm64", "--python-version", "3.11")
KINDS = ("symbol-present", "symbol-absent", "param-present", "param-absent")


@dataclass(frozen=True)
class Claim:
    lib: str
    version: str
    kind: str
    module: str   # the public module (symbols) or defining module (params)
    name: str     # symbol name (``Class.method`` allowed) or object path of the callable
    param: str = ""

    @property
    def present(self) -> bool:
        return self.kind.endswith("present")

    def __str__(self) -> str:
        what = f"{self.module}.{self.name}" + (f"({self.param})" if self.param else "")
        return f"{self.lib} {self.version} {self.kind}: {what}"


def _history(lib: str) -> LibraryHistory:
    return apihistory._history(lib)  # noqa: SLF001 - the checker reads the raw tables on purpose


def draw(rng: random.Random, history: LibraryHistory, kind: str, index: int) -> Claim | None:
    """One claim of ``kind`` about release ``index``, or None when a random pick offers none."""
    version = history.releases[index]
    if kind.startswith("symbol"):
        modules = [m for m in sorted(history._symbols) if index in history.module_indices(m)]  # noqa: SLF001
        if not modules:
            return None
        module = rng.choice(modules)
        names = history.symbols(module)
        wanted = [n for n in sorted(names) if (index in history.symbol_indices(module, n)) == (kind == "symbol-present")]
        if not wanted:
            return None
        return Claim(history.name, version, kind, module, rng.choice(wanted))
    module = rng.choice(sorted(history._funcs))  # noqa: SLF001
    at = {path: sid for path, variants in history.funcs(module).items() for sid, idx in variants if index in idx}
    if not at:
        return None
    path = rng.choice(sorted(at))
    sig = Signature.parse(history.sigs[at[path]])
    if kind == "param-present":
        names = [n for n in sig.names if n not in ("self", "cls")]
        return Claim(history.name, version, kind, module, path, rng.choice(names)) if names else None
    others = sorted({n for sid, _ in history.funcs(module)[path] for n in Signature.parse(history.sigs[sid]).names}
                    - set(sig.names))
    if not others or not sig.complete:
        return None
    return Claim(history.name, version, kind, module, path, rng.choice(others))


def sample(count: int, seed: int, per_release: int = 5, only: tuple[str, ...] = ()) -> list[Claim]:
    """``count`` claims, ``per_release`` per drawn release, libraries in turn (every one the manifest lists,
    or those in ``only``), kinds in turn."""
    rng = random.Random(seed)
    libs = tuple(lib for lib in apihistory.libraries() if not only or lib in only)
    claims: list[Claim] = []
    turn = 0
    while len(claims) < count:
        history = _history(libs[turn % len(libs)])
        turn += 1
        index = rng.randrange(len(history.releases))
        got = 0
        for _ in range(400):
            if got == per_release or len(claims) == count:
                break
            claim = draw(rng, history, KINDS[len(claims) % len(KINDS)], index)
            if claim is not None and claim not in claims:
                claims.append(claim)
                got += 1
    return claims


# -- installing a release -------------------------------------------------------------------------
def install(lib: str, version: str, cache: Path, target: Path) -> str:
    """Install one release into ``target``; returns "installed" or "unpacked" (sdist that did not build)."""
    archives = [p for p in (cache / "dist" / lib / version).glob("*") if p.suffix in (".whl", ".gz")]
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull)
    extra = MAC if lib == "torch" else ()
    spec = str(archives[0]) if archives and not extra else f"{lib}=={version}"
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q",
               "--target", str(target), spec, *extra]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode == 0:
        return "installed"
    if archives and archives[0].suffix == ".gz":
        with tarfile.open(archives[0]) as tf:
            tf.extractall(target / "_sdist", filter="data")
        return "unpacked"
    raise RuntimeError(f"pip install {lib}=={version} failed: {result.stderr[-500:]}")


RUNTIME_CHECK = r'''
import importlib, inspect, json, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[1])
claims = json.loads(sys.stdin.read())
out = []

def walk(obj, parts):
    for part in parts:
        space = vars(obj) if isinstance(obj, type) else None
        if space is not None:
            if part not in space:
                return None, False
            obj = space[part]
        else:
            if not hasattr(obj, part):
                return None, False
            obj = getattr(obj, part)
    return obj, True

for claim in claims:
    try:
        module = importlib.import_module(claim["module"])
        if not module.__file__ or not module.__file__.startswith(sys.argv[1]):
            raise ImportError("imported from elsewhere: " + str(module.__file__))
        if claim["kind"].startswith("symbol"):
            head, *rest = claim["name"].split(".")
            present = hasattr(module, head)
            if present and rest:
                _, present = walk(getattr(module, head), rest)
            if present and not rest and not hasattr(module, "__path__"):
                value = getattr(module, head)
                origin = getattr(value, "__module__", None)
                defined_elsewhere = (inspect.isclass(value) or inspect.isfunction(value)) and origin and \
                    origin != module.__name__ and head not in getattr(module, "__all__", ())
                if defined_elsewhere and not claim["present"]:
                    present = False  # merely imported into a plain module: not one of its own names
            out.append({"ok": present == claim["present"], "seen": present})
        else:
            head, *rest = claim["name"].split(".")
            obj = getattr(module, head)
            if rest:
                obj, found = walk(obj, rest)
                if not found:
                    raise LookupError("callable not found: " + claim["name"])
            if isinstance(obj, (staticmethod, classmethod)):
                obj = obj.__func__
            if isinstance(obj, property):
                obj = obj.fget
            params = inspect.signature(obj).parameters
            present = claim["param"] in params
            out.append({"ok": present == claim["present"], "seen": present})
    except BaseException as error:  # any failure to import or inspect is reported, then read from text
        out.append({"ok": None, "error": f"{type(error).__name__}: {str(error)[:200]}"})
print(json.dumps(out))
'''


def check_runtime(target: Path, claims: list[Claim]) -> list[dict]:
    payload = json.dumps([{"kind": c.kind, "module": c.module, "name": c.name, "param": c.param,
                           "present": c.present} for c in claims])
    result = subprocess.run([sys.executable, "-c", RUNTIME_CHECK, str(target)], input=payload, capture_output=True,
                            text=True, timeout=600, cwd=tempfile.gettempdir())
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return [{"ok": None, "error": "checker crashed: " + result.stderr[-300:]} for _ in claims]


# -- the independent text check -------------------------------------------------------------------
def _sources(base: Path, module: str) -> list[tuple[Path, str]]:
    """The module's source file and its stub, if any (a stub describes an extension module's classes)."""
    relative = module.replace(".", "/")
    out = []
    for candidate in (f"{relative}.py", f"{relative}/__init__.py", f"{relative}.pyi", f"{relative}/__init__.pyi"):
        found = sorted(base.glob(candidate)) or sorted(base.glob(f"*/{candidate}"))
        if found:
            out.append((found[0], found[0].read_text(encoding="utf-8", errors="replace")))
    return out


def _strip_comments(text: str) -> str:
    return re.sub(r"(?m)#[^\n'\"]*$", "", text)


def _block(text: str, name: str) -> str | None:
    """The body of ``class name`` (the last definition), by indentation."""
    starts = list(re.finditer(rf"(?m)^([ \t]*)class[ \t]+{re.escape(name)}\b", text))
    if not starts:
        return None
    match = starts[-1]
    indent = len(match.group(1))
    lines = text[match.end():].split("\n")[1:]
    body = []
    for line in lines:
        if line.strip() and len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith((")", "#")):
            break
        body.append(line)
    return "\n".join(body)


def _text_has_name(base: Path, module: str, name: str, depth: int = 0, present: bool = True) -> bool:
    return depth <= 3 and any(_file_has_name(base, module, name, path, text, depth, present)
                              for path, text in _sources(base, module))


TRANSPARENT = ("if", "elif", "else", "try", "except", "finally", "with")


def _module_level(text: str) -> str:
    """The lines that run at import time at module level (also inside if/try/with blocks, not inside
    def/class bodies or ``if __name__ == "__main__"``), each stripped; read with the tokenizer, so
    brackets inside strings do not confuse it."""
    lines = text.split("\n")
    out: list[str] = []
    blocks: list[bool] = []  # is each open indented block transparent?
    opens: bool | None = None
    logical: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.INDENT:
                blocks.append(bool(opens))
            elif tok.type == tokenize.DEDENT:
                blocks.pop()
            elif tok.type == tokenize.NEWLINE and logical:
                if all(blocks):
                    out.extend(line.strip() for line in lines[logical[0].start[0] - 1:tok.start[0]])
                words = [t.string for t in logical]
                main_guard = words[:2] == ["if", "__name__"] and any("__main__" in w for w in words)
                opens = words[-1] == ":" and words[0] in TRANSPARENT and not main_guard
                logical = []
            elif tok.type not in (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE, tokenize.ENCODING,
                                  tokenize.ENDMARKER):
                logical.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "\n".join(line.strip() for line in lines)  # not tokenizable: every line, as a plain scan
    return "\n".join(out)


def _decorated_dataclass(text: str, name: str) -> bool:
    """``@dataclass`` above ``class name``, other decorators, comments and blank lines between
    (diffusers: ``@dataclass`` / ``# Copied from ...`` / ``class AltDiffusionPipelineOutput``)."""
    return re.search(rf"(?m)^[ \t]*@[\w.]*dataclass\b[^\n]*\n(?:[ \t]*(?:[@#][^\n]*)?\n)*[ \t]*class[ \t]+"
                     rf"{re.escape(name)}\b", text) is not None


def _file_has_name(base: Path, module: str, name: str, path: Path, text: str, depth: int,
                   present: bool = True) -> bool:
    """Whether the file offers ``name``. For an absence claim, a plain module's import of a name counts
    only when the runtime check would count it too: ``name as name`` or from a private module."""
    text = _strip_comments(text)
    if "." in name:
        owner, _, member = name.rpartition(".")
        block = _block(text, owner.split(".")[-1])
        if block is None:
            return False
        if member == "__init__" and _decorated_dataclass(text, owner.split(".")[-1]):
            return True
        return re.search(rf"(?m)^\s*(async\s+)?(def|class)\s+{re.escape(member)}\b", block) is not None
    n = re.escape(name)
    top = _module_level(text)
    patterns = (rf"(?m)^(async\s+)?def\s+{n}\s*\(", rf"(?m)^class\s+{n}\b", rf"(?m)^{n}\s*(:[^=\n]*)?=(?!=)",
                rf"(?m)^\(?[\w\s,]*\b{n}\s*,[\w\s,]*\)?\s*=(?!=)", rf"(?m)^\(?[\w\s,]*,\s*{n}\b\s*\)?\s*=(?!=)",
                rf"['\"]{n}['\"]", rf"(?m)^(from\s+\S+\s+)?import\s+[^\n]*\b{n}\b",
                rf"(?s)import\s*\([^)]*\b{n}\b[^)]*\)")
    package = path.name.startswith("__init__")
    if depth > 0 and re.search(r"(?m)^__all__\s*[:+]?=", top):  # a star import takes __all__ only
        return re.search(rf"['\"]{n}['\"]", text) is not None
    if not present and not package:
        private = rf"(?m)^from\s+(\S*\.)?_\w[\w.]*\s+import\s+(\([^)]*|[^\n]*)\b{n}\b"
        patterns = patterns[:6] + (private, rf"\b{n}\s+as\s+{n}\b")
    if any(re.search(p, top) for p in patterns):
        return True
    for level, target in re.findall(r"(?m)^\s*from\s+(\.*)([\w.]*)\s+import\s+\*", text):
        parts = module.split(".") if package else module.split(".")[:-1]
        if level:
            parts = parts[: len(parts) - (len(level) - 1)] if len(level) > 1 else parts
            source = ".".join(parts + ([target] if target else []))
        else:
            source = target
        if _text_has_name(base, source, name, depth + 1, present):
            return True
    return False


def _param_text(block: str) -> str:
    depth = 0
    for position, char in enumerate(block):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return block[:position]
    return block


def _text_params(base: Path, module: str, path: str) -> set[str] | None:
    for _, text in _sources(base, module):
        found = _file_params(base, _strip_comments(text), path)
        if found is not None:
            return found
    return None


def _file_params(base: Path, text: str, path: str) -> set[str] | None:
    *owners, func = path.split(".")
    scope = text
    for owner in owners:
        scope = _block(scope, owner)
        if scope is None:
            return None
    defs = list(re.finditer(rf"(?m)^\s*(async\s+)?def\s+{re.escape(func)}\s*\(", scope))
    if defs:
        raw = _param_text(scope[defs[-1].end():])
        names = set()
        depth, piece = 0, ""
        for char in raw + ",":
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            if char == "," and depth == 0:
                head = piece.split(":")[0].split("=")[0].strip().lstrip("*").strip()
                if head and head != "/":
                    names.add(head)
                piece = ""
            else:
                piece += char
        return names
    if func == "__init__" and owners:  # a dataclass: its annotated fields, and those of bases in the package
        return _dataclass_fields(base, text, owners[-1], 0)
    return None


def _dataclass_fields(base: Path, text: str, name: str, depth: int) -> set[str]:
    block = _block(text, name) or ""
    first = re.search(r"(?m)^([ \t]+)\S", block)
    indent = re.escape(first.group(1)) if first else "[ \t]+"
    fields = set(re.findall(rf"(?m)^{indent}(\w+)[ \t]*:[^=\n]*", block))
    header = re.search(rf"(?m)^\s*class\s+{re.escape(name)}\s*\(([^)]*)\)", text)
    if header and depth < 5:
        for parent in re.findall(r"\b(\w+)\s*(?:,|$)", header.group(1)):
            for file in base.rglob("*.py"):
                other = file.read_text(encoding="utf-8", errors="replace")
                if re.search(rf"(?m)^class\s+{parent}\b", other):
                    fields |= _dataclass_fields(base, _strip_comments(other), parent, depth + 1)
                    break
    return fields


def check_text(base: Path, claim: Claim) -> bool | None:
    if claim.kind.startswith("symbol"):
        return _text_has_name(base, claim.module, claim.name, present=claim.present) == claim.present
    names = _text_params(base, claim.module, claim.name)
    return None if names is None else (claim.param in names) == claim.present


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--cache", type=Path, default=Path("/work/pkgcache"))
    parser.add_argument("--json", type=Path, help="write every claim and its outcome here")
    parser.add_argument("--only", default="", help="comma-separated libraries to sample (default: all covered)")
    args = parser.parse_args(argv)
    claims = sample(args.claims, args.seed, only=tuple(filter(None, args.only.split(","))))
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[(claim.lib, claim.version)].append(claim)
    outcomes: list[tuple[Claim, str, bool | None, str]] = []
    for (lib, version), group in sorted(groups.items()):
        work = Path(tempfile.mkdtemp(prefix="apicheck-"))
        try:
            how = install(lib, version, args.cache, work)
            runtime = check_runtime(work, group) if how == "installed" else [{"ok": None}] * len(group)
            base = work if how == "installed" else work / "_sdist"
            for claim, result in zip(group, runtime):
                if result.get("ok") is not None:
                    outcomes.append((claim, "import", result["ok"], ""))
                else:
                    outcomes.append((claim, "text", check_text(base, claim), result.get("error", how)))
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as error:
            outcomes.extend((c, "none", None, str(error)[:200]) for c in group)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{lib} {version}: " + " ".join({True: "ok", False: "WRONG", None: "?"}[o[2]] for o in outcomes[-len(group):]),
              flush=True)
    by_method: dict[str, Counter] = defaultdict(Counter)
    for claim, method, ok, _ in outcomes:
        by_method[method][{True: "agree", False: "disagree", None: "undecided"}[ok]] += 1
        by_method[f"kind:{claim.kind}"][{True: "agree", False: "disagree", None: "undecided"}[ok]] += 1
    decided = [o for o in outcomes if o[2] is not None]
    print(f"\n{len(outcomes)} claims from {len(groups)} releases of {len({c.lib for c in claims})} libraries")
    for method, counts in sorted(by_method.items()):
        total = counts["agree"] + counts["disagree"]
        share = counts["agree"] / total if total else 0.0
        print(f"  {method:22s} {counts['agree']:3d}/{total:3d} agree ({share:.3f}); undecided {counts['undecided']}")
    share = sum(1 for o in decided if o[2]) / len(decided) if decided else 0.0
    print(f"  {'all decided':22s} {share:.3f} ({len(decided)} of {len(outcomes)} decided)")
    for claim, method, ok, note in outcomes:
        if ok is not True:
            print(f"  {'WRONG' if ok is False else 'undecided'} [{method}] {claim} {note}")
    if args.json:
        args.json.write_text(json.dumps([{"claim": str(c), "method": m, "ok": ok, "note": n}
                                         for c, m, ok, n in outcomes], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The API facts of one released package archive (wheel or sdist), read with ``ast`` only.

``read_release(archive, roots, covered, cache)`` opens the archive, extracts every source file of the
import roots (skipping tests), resolves relative and star imports, lazy import tables and dataclass
``__init__`` signatures, and returns a ``Release``: public modules, the names of each public module
(with the module a re-exported name comes from), the signature of every public function and method
(private modules included, so re-exported names can be followed), and the names imported from the
other covered libraries.
"""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from api_extract import VERSION, FileFacts, extract

SKIP_DIRS = frozenset({"tests", "test"})
PLAIN_BASES = frozenset({"object", "Generic", "ABC", "abc.ABC", "Protocol", "typing.Generic", "typing.Protocol",
                         "Enum", "enum.Enum", "str", "int", "dict", "list", "tuple", "Exception", "ValueError"})
PARTIAL = "+"  # ends a signature whose dataclass fields come partly from a base we cannot read
RELEASE_FORMAT = 4  # bump when Release changes shape: invalidates the per-release cache


@dataclass(frozen=True)
class Release:
    modules: tuple[str, ...]                          # public modules
    symbols: dict[str, dict[str, str]]                # public module -> name -> origin module ("" = defined there)
    funcs: dict[str, str]                             # "module:Object.path" -> signature text
    imports: tuple[tuple[str, str, str], ...]         # (other library, module, name) imported by this release
    dataclasses: tuple[str, ...] = ()                 # names of the dataclasses it defines (any module)

    def to_json(self) -> dict:
        return {"modules": list(self.modules), "symbols": self.symbols, "funcs": self.funcs,
                "imports": [list(i) for i in self.imports], "dataclasses": list(self.dataclasses)}

    @classmethod
    def from_json(cls, data: dict) -> "Release":
        return cls(tuple(data["modules"]), data["symbols"], data["funcs"], tuple(tuple(i) for i in data["imports"]),
                   tuple(data["dataclasses"]))


@dataclass(frozen=True)
class Module:
    name: str
    package: bool
    facts: FileFacts


def _members(archive: Path) -> dict[str, bytes]:
    """Every .py/.pyi file of a wheel or sdist, by its path inside the archive."""
    out: dict[str, bytes] = {}
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.filename.endswith((".py", ".pyi")):
                    out[info.filename] = zf.read(info)
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if member.isfile() and member.name.endswith((".py", ".pyi")):
                    handle = tf.extractfile(member)
                    if handle is not None:
                        out[member.name] = handle.read()
    return out


def _root_prefix(paths: set[str], root: str) -> str | None:
    """The shallowest archive folder that holds the root package (sdists nest it; namespace roots lack __init__)."""
    rel = root.replace(".", "/") + "/"
    best: str | None = None
    for path in paths:
        at = path.find(rel)
        while at != -1:
            if at == 0 or path[at - 1] == "/":
                prefix = path[:at]
                if best is None or prefix.count("/") < best.count("/") or (
                        prefix.count("/") == best.count("/") and len(prefix) < len(best)):
                    best = prefix
                break
            at = path.find(rel, at + 1)
    return best


def _module_name(rel: str) -> tuple[str, bool] | None:
    """``a/b/c.py`` -> (``a.b.c``, False); ``a/b/__init__.py`` -> (``a.b``, True); None for non-module paths."""
    stem = rel.rsplit(".", 1)[0]
    parts = stem.split("/")
    package = parts[-1] == "__init__"
    if package:
        parts = parts[:-1]
    if not parts or any(not p.isidentifier() for p in parts) or any(p in SKIP_DIRS for p in parts):
        return None
    if not package and (parts[-1].endswith(("_test", "_tests")) or parts[-1].startswith("test_")):
        return None  # test files kept beside the code (jax, optax, flax: foo_test.py; scripts/test_x.py)
    return ".".join(parts), package


def _facts(data: bytes, cache: dict[str, list]) -> FileFacts | None:
    key = f"{VERSION}:{hashlib.sha1(data).hexdigest()}"
    hit = cache.get(key)
    if hit is not None:
        return FileFacts.from_json(hit) if hit else None
    try:
        facts = extract(data)
    except (SyntaxError, ValueError, RecursionError):
        cache[key] = []  # a file that does not parse (Python 2 leftovers, templates): no facts
        return None
    cache[key] = facts.to_json()
    return facts


def _merge(py: FileFacts, pyi: FileFacts) -> FileFacts:
    """A module with both a .py and a .pyi (extension-backed): the stub adds what the source lacks."""
    funcs = dict(pyi.funcs)
    funcs.update(dict(py.funcs))
    classes = {c[0]: c for c in pyi.classes}
    classes.update({c[0]: c for c in py.classes})
    return FileFacts(
        defs=tuple(dict.fromkeys(py.defs + pyi.defs)), imports=py.imports, stars=py.stars,
        all_names=py.all_names, lazy=py.lazy, lazy_siblings=py.lazy_siblings,
        methods=tuple(dict.fromkeys(py.methods + pyi.methods)), funcs=tuple(funcs.items()),
        classes=tuple(classes.values()), all_imports=py.all_imports)


def load_modules(archive: Path, roots: tuple[str, ...], cache: dict[str, list]) -> dict[str, Module]:
    members = _members(archive)
    sources: dict[str, dict[str, tuple[bytes, bool]]] = {}
    for root in roots:
        prefix = _root_prefix(set(members), root)
        if prefix is None:
            continue
        base = root.replace(".", "/") + "/"
        for path, data in members.items():
            if not path.startswith(prefix + base):
                continue
            named = _module_name(path[len(prefix):])
            if named is not None:
                sources.setdefault(named[0], {})[path.rsplit(".", 1)[1]] = (data, named[1])
    modules: dict[str, Module] = {}
    for name, kinds in sources.items():
        py = _facts(kinds["py"][0], cache) if "py" in kinds else None
        pyi = _facts(kinds["pyi"][0], cache) if "pyi" in kinds else None
        facts = _merge(py, pyi) if py and pyi else (py or pyi)
        if facts is not None:
            package = next(iter(kinds.values()))[1]
            modules[name] = Module(name, package, facts)
    return modules


def absolute(module: Module, level: int, target: str) -> str:
    """The absolute module of an import written in ``module`` (``level`` leading dots)."""
    if level == 0:
        return target
    parts = module.name.split(".")
    if not module.package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([target] if target else []))


def is_public_module(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


class _Resolver:
    def __init__(self, modules: dict[str, Module], roots: tuple[str, ...]):
        self.modules = modules
        self.roots = roots
        self._namespaces: dict[str, dict[str, str]] = {}
        self._exports: dict[str, dict[str, str]] = {}
        self._fields: dict[tuple[str, str], tuple[list[str], set[str]] | None] = {}

    def own(self, target: str) -> bool:
        return any(target == r or target.startswith(r + ".") for r in self.roots)

    def namespace(self, name: str, depth: int = 0) -> dict[str, str]:
        """Every name bound at the top of a module (name -> origin module, "" when defined there)."""
        if name in self._namespaces:
            return self._namespaces[name]
        module = self.modules.get(name)
        self._namespaces[name] = {}  # cycle guard
        if module is None or depth > 30:
            return {}
        facts = module.facts
        found: dict[str, str] = {}
        for level, target, imported, bound, flags in facts.imports:
            if imported and (module.package or "t" not in flags):
                found[bound] = absolute(module, level, target)
        for level, target in facts.stars:
            source = absolute(module, level, target)
            if self.own(source):
                for star in self.star_names(source, depth + 1):
                    found.setdefault(star, source)
        if module.package:
            for sub, lazy in facts.lazy:
                found[lazy] = f"{name}.{sub}"
            if facts.lazy_siblings:
                for child in self.children(name):
                    for export in self.modules[child].facts.all_names or ():
                        found.setdefault(export, child)
        for defined in facts.defs:
            found[defined] = ""
        self._namespaces[name] = found
        return found

    def children(self, package: str) -> list[str]:
        prefix = package + "."
        return [m for m in self.modules if m.startswith(prefix) and "." not in m[len(prefix):]]

    def star_names(self, name: str, depth: int = 0) -> list[str]:
        module = self.modules.get(name)
        if module is None:
            return []
        if module.facts.all_names is not None:
            return list(module.facts.all_names)
        return [n for n in self.namespace(name, depth) if not n.startswith("_")]

    def exports(self, name: str) -> dict[str, str]:
        """The names a module offers (see the module docstring of build_api_history for the rules)."""
        module = self.modules[name]
        facts = module.facts
        space = self.namespace(name)
        out: dict[str, str] = {}
        for defined in facts.defs:
            out[defined] = ""
        for method in facts.methods:
            out[method] = ""
        for level, target, imported, bound, flags in facts.imports:
            source = absolute(module, level, target)
            if not imported or (not module.package and "t" in flags):
                continue  # a plain module's TYPE_CHECKING imports do not exist at run time
            if module.package or "a" in flags or (self.own(source) and not is_public_module(source)):
                out.setdefault(bound, source)
        for bound, origin in space.items():
            if module.package and origin and bound not in out:
                out[bound] = origin  # stars and lazy tables of a package
        for exported in facts.all_names or ():
            out.setdefault(exported, space.get(exported, ""))
        if not module.package:
            for level, target in facts.stars:
                source = absolute(module, level, target)
                if self.own(source):
                    for star in self.star_names(source):
                        out.setdefault(star, source)
        return out

    def find_class(self, module: str, path: str, depth: int = 0) -> tuple[str, tuple] | None:
        """(module, class facts) for a class named ``path`` as seen from ``module``."""
        if depth > 8 or module not in self.modules:
            return None
        facts = self.modules[module].facts
        for cls in facts.classes:
            if cls[0] == path:
                return module, cls
        head, _, rest = path.partition(".")
        origin = self.namespace(module).get(head)
        if not origin:
            return None
        imported = next((i for i in facts.imports if i[3] == head and i[2]), None)
        original = imported[2] if imported else head
        if f"{origin}.{original}" in self.modules:  # `from . import sub; class A(sub.B)`
            return self.find_class(f"{origin}.{original}", rest, depth + 1) if rest else None
        if rest:
            return None
        return self.find_class(origin, original, depth + 1)

    def dataclass_fields(self, module: str, cls: tuple, depth: int = 0) -> tuple[list[str], set[str]]:
        """All init fields of a dataclass (bases first) and the names of the bases that could not be read."""
        key = (module, cls[0])
        if key in self._fields:
            cached = self._fields[key]
            return cached if cached is not None else ([], set())
        self._fields[key] = None
        order: list[str] = []
        parts: dict[str, str] = {}
        unresolved: set[str] = set()
        for base in reversed(cls[1]):
            if base in PLAIN_BASES:
                continue
            found = self.find_class(module, base) if depth < 10 else None
            if found is None:
                unresolved.add(base.split(".")[-1])
                continue
            fields, base_unresolved = self.dataclass_fields(found[0], found[1], depth + 1)
            unresolved |= base_unresolved
            for part in fields:
                bare = part.rstrip("=")
                if bare not in parts:
                    order.append(bare)
                parts[bare] = part
        if cls[2]:
            for part in cls[3].split(","):
                if part and part != "*":
                    bare = part.rstrip("=")
                    if bare not in parts:
                        order.append(bare)
                    parts[bare] = part
        result = ([parts[b] for b in order], unresolved)
        self._fields[key] = result
        return result


def _covering(target: str, covered: dict[str, str]) -> str | None:
    """The covered library whose import root holds ``target`` (longest root wins)."""
    best = None
    for root, lib in covered.items():
        if (target == root or target.startswith(root + ".")) and (best is None or len(root) > len(best[0])):
            best = (root, lib)
    return best[1] if best else None


def read_release(archive: Path, roots: tuple[str, ...], covered: dict[str, str], cache: dict[str, list]) -> Release:
    """The API facts of one archive. ``covered`` maps import roots of the covered libraries to their names."""
    modules = load_modules(archive, roots, cache)
    resolver = _Resolver(modules, roots)
    own_lib = _covering(roots[0], covered)
    public = sorted(m for m in modules if is_public_module(m))
    symbols = {m: resolver.exports(m) for m in public}
    funcs: dict[str, str] = {}
    imports: set[tuple[str, str, str]] = set()
    dataclasses: set[str] = set()
    for name, module in modules.items():
        for path, sig in module.facts.funcs:
            funcs[f"{name}:{path}"] = sig
        for cls in module.facts.classes:
            if cls[2]:
                dataclasses.add(cls[0].split(".")[-1])
            if cls[2] and not any(p.startswith("_") for p in cls[0].split(".")):
                fields, unresolved = resolver.dataclass_fields(name, cls)
                # "+A|B": bases A and B were not found here; settle_partial() decides once every
                # library's dataclasses are known.
                tail = [PARTIAL + "|".join(sorted(unresolved))] if unresolved else []
                funcs[f"{name}:{cls[0]}.__init__"] = ",".join(["self"] + fields + tail)
        for level, target, imported in module.facts.all_imports:
            if level:
                continue
            lib = _covering(target, covered)
            if lib and lib != own_lib:
                imports.add((lib, target, imported))
    return Release(tuple(public), symbols, funcs, tuple(sorted(imports)), tuple(sorted(dataclasses)))


def settle_partial(sig: str, dataclasses: set[str]) -> str:
    """Keep the partial marker only when a base that could not be read is a dataclass somewhere in the
    covered libraries (``SFTConfig(TrainingArguments)``); drop it for plain mixins (``PushToHubMixin``)."""
    head, sep, tail = sig.rpartition("," + PARTIAL)
    if not sep or "," in tail:
        return sig
    return head + "," + PARTIAL if set(tail.split("|")) & dataclasses else head

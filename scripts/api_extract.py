"""The API facts of one Python source file, read with ``ast`` only (the file is never imported).

``extract(source)`` returns a ``FileFacts``: what the module defines, what it imports (and from
where), its ``__all__``, lazy import tables, classes with their public methods and the signature
of every public function and method. Module paths are not known here: relative imports keep their
level and are resolved per release by ``api_release``. Facts are plain tuples so that they cache
as JSON.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

# Methods whose signatures matter although they start with an underscore.
DUNDERS = frozenset({"__init__", "__call__", "__new__", "__post_init__"})
DATACLASS_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass", "struct.dataclass",
                                  "flax.struct.dataclass", "chex.dataclass", "pydantic.dataclasses.dataclass"})
LAZY_TABLE_CALLS = ("define_import_structure",)
VERSION = 7  # bump when the facts change shape or meaning: invalidates the per-file cache


@dataclass(frozen=True)
class FileFacts:
    defs: tuple[str, ...]                            # top-level def/class/assignment names
    imports: tuple[tuple[int, str, str, str, str], ...]  # top-level (level, module, name, bound_as, flags);
    # name "" = `import module`; flags: "a" = written `name as name` (an explicit re-export), "t" = under TYPE_CHECKING
    stars: tuple[tuple[int, str], ...]               # top-level `from module import *` (level, module)
    all_names: tuple[str, ...] | None                # literal __all__ (after += / extend / append), None when absent
    lazy: tuple[tuple[str, str], ...]                # lazy import tables: (submodule, name)
    lazy_siblings: bool                              # calls define_import_structure(__file__): siblings' __all__
    methods: tuple[str, ...]                         # "Class.method" and nested "Class.Inner" names
    funcs: tuple[tuple[str, str], ...]               # (object path, signature text) for public callables
    classes: tuple[tuple[str, tuple[str, ...], bool, str], ...]  # (name, bases, dataclass, own fields sig)
    all_imports: tuple[tuple[int, str, str], ...]    # every import anywhere in the file (level, module, name),
    # and every name used through an imported module (``jnp.DeviceArray``: (0, "jax.numpy", "DeviceArray"))

    def to_json(self) -> list:
        return [list(self.defs), [list(i) for i in self.imports], [list(s) for s in self.stars],
                None if self.all_names is None else list(self.all_names), [list(x) for x in self.lazy],
                self.lazy_siblings, list(self.methods), [list(f) for f in self.funcs],
                [[c[0], list(c[1]), c[2], c[3]] for c in self.classes], [list(i) for i in self.all_imports]]

    @classmethod
    def from_json(cls, data: list) -> "FileFacts":
        return cls(tuple(data[0]), tuple(tuple(i) for i in data[1]), tuple(tuple(s) for s in data[2]),
                   None if data[3] is None else tuple(data[3]), tuple(tuple(x) for x in data[4]), data[5],
                   tuple(data[6]), tuple(tuple(f) for f in data[7]),
                   tuple((c[0], tuple(c[1]), c[2], c[3]) for c in data[8]), tuple(tuple(i) for i in data[9]))


def signature_text(args: ast.arguments) -> str:
    """``a,b=,/,c,*args,d=,**kw``: names in order, ``=`` marks a default, ``/`` and ``*`` as in Python."""
    positional = args.posonlyargs + args.args
    first_default = len(positional) - len(args.defaults)
    parts: list[str] = []
    for index, arg in enumerate(positional):
        parts.append(arg.arg + ("=" if index >= first_default else ""))
        if args.posonlyargs and index == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg:
        parts.append("*" + args.vararg.arg)
    elif args.kwonlyargs:
        parts.append("*")
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        parts.append(arg.arg + ("=" if default is not None else ""))
    if args.kwarg:
        parts.append("**" + args.kwarg.arg)
    return ",".join(parts)


# decorators that keep accepting a renamed keyword (transformers.utils.deprecation.deprecate_kwarg, which trl and
# sentence-transformers import too): ``@deprecate_kwarg("tokenizer", new_name="processing_class", version="5.0.0")``
# on ``Trainer.__init__`` means ``Trainer(tokenizer=...)`` works, with a warning, until that decorator is removed
RENAMED_KWARG_DECORATORS = ("deprecate_kwarg",)


def _renamed_kwargs(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Old keyword names a decorator still accepts for ``node``."""
    names: list[str] = []
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call) or dotted(decorator.func).rsplit(".", 1)[-1] not in RENAMED_KWARG_DECORATORS:
            continue
        old = decorator.args[0] if decorator.args else next(
            (k.value for k in decorator.keywords if k.arg == "old_name"), None)
        if isinstance(old, ast.Constant) and isinstance(old.value, str) and old.value.isidentifier():
            names.append(old.value)
    return names


def function_signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """:func:`signature_text` of a def, plus the old keyword names its decorators still accept, as
    keyword-only parameters with a default (before ``**kwargs``)."""
    text = signature_text(node.args)
    parts = [p for p in text.split(",") if p]
    declared = {p.lstrip("*").rstrip("=") for p in parts}
    extra = [name for name in dict.fromkeys(_renamed_kwargs(node)) if name not in declared]
    if not extra:
        return text
    var_kw = [p for p in parts if p.startswith("**")]
    rest = [p for p in parts if not p.startswith("**")]
    if not any(p.startswith("*") for p in rest):
        rest.append("*")
    return ",".join(rest + [name + "=" for name in extra] + var_kw)


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain (calls and subscripts reduce to what they call/index)."""
    if isinstance(node, ast.Call):
        return dotted(node.func)
    if isinstance(node, ast.Subscript):
        return dotted(node.value)
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    if isinstance(node, ast.Name):
        return node.id
    return ""


def is_public(name: str) -> bool:
    return not name.startswith("_") or name in DUNDERS


def _strings(node: ast.AST | None) -> list[str] | None:
    """The strings of a list/tuple/set literal of string constants, else None."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def _lazy_table(node: ast.AST) -> list[tuple[str, str]] | None:
    """``{"sub": ["Name", ...], ...}`` as (sub, name) pairs, else None."""
    if not isinstance(node, ast.Dict) or not node.keys:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in zip(node.keys, node.values):
        names = _strings(value)
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or names is None:
            return None
        pairs.extend((key.value, name) for name in names)
    return pairs


def _field_part(name: str, value: ast.AST | None) -> str | None:
    """A dataclass field as a signature part, or None when it is not an init parameter."""
    if isinstance(value, ast.Call) and dotted(value.func).split(".")[-1] == "field":
        for keyword in value.keywords:
            if keyword.arg == "init" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
                return None
        has_default = any(k.arg in ("default", "default_factory") for k in value.keywords)
        return name + ("=" if has_default else "")
    return name + ("=" if value is not None else "")


def _dataclass_fields(cls: ast.ClassDef) -> str:
    """The class's own dataclass fields as signature parts (``name`` or ``name=``), comma separated."""
    parts: list[str] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            annotation = dotted(stmt.annotation) or (ast.unparse(stmt.annotation) if stmt.annotation else "")
            if annotation.split(".")[-1] in ("ClassVar", "KW_ONLY") or annotation.startswith("ClassVar"):
                continue
            part = _field_part(stmt.target.id, stmt.value)
            if part is not None:
                parts.append(part)
    return ",".join(parts)


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _is_type_checking(test: ast.expr) -> bool:
    return dotted(test).split(".")[-1] == "TYPE_CHECKING"


def _decorator_names(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [dotted(d) for d in node.decorator_list]


class _Collector:
    def __init__(self) -> None:
        self.defs: dict[str, None] = {}
        self.imports: list[tuple[int, str, str, str]] = []
        self.stars: list[tuple[int, str]] = []
        self.all_names: list[str] | None = None
        self.lazy: list[tuple[str, str]] = []
        self.lazy_vars: set[str] = set()
        self.lazy_siblings = False
        self.type_checking = False
        self.methods: dict[str, None] = {}
        self.funcs: dict[str, str] = {}
        self.classes: dict[str, tuple[str, tuple[str, ...], bool, str]] = {}

    # Module level: statements, also inside if/try/with/else blocks (optional imports, TYPE_CHECKING).
    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.defs[stmt.name] = None
            if is_public(stmt.name):
                self.funcs[stmt.name] = function_signature(stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.defs[stmt.name] = None
            self.klass(stmt, stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self.assignment(stmt)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                self.imports.append((0, alias.name, "", bound, self._flags(alias)))
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    self.stars.append((stmt.level, stmt.module or ""))
                else:
                    self.imports.append((stmt.level, stmt.module or "", alias.name, alias.asname or alias.name,
                                         self._flags(alias)))
        elif isinstance(stmt, ast.Delete):
            self.delete(stmt)
        elif isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            self.block(stmt.orelse)  # `if __name__ == "__main__":` runs only as a script
        elif isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            was, self.type_checking = self.type_checking, True
            self.block(stmt.body)
            self.type_checking = was
            self.block(stmt.orelse)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.call(stmt.value)
        elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or type(stmt).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                self.block(getattr(stmt, field, []) or [])
            for handler in getattr(stmt, "handlers", []):
                self.block(handler.body)
        if isinstance(stmt, (ast.Assign, ast.Expr)) and any(
                isinstance(n, ast.Call) and dotted(n.func).endswith(LAZY_TABLE_CALLS) for n in ast.walk(stmt)):
            self.lazy_siblings = True

    def delete(self, stmt: ast.Delete) -> None:
        """``del name`` at module level: an import kept only for its side effects (jax's
        ``from jax.interpreters import xla; del xla``) is not offered by the module."""
        names = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        names |= {e.id for t in stmt.targets if isinstance(t, (ast.Tuple, ast.List))
                  for e in t.elts if isinstance(e, ast.Name)}
        if not names:
            return
        for name in names:
            self.defs.pop(name, None)
            self.funcs.pop(name, None)
        self.imports = [i for i in self.imports if i[3] not in names]

    def _flags(self, alias: ast.alias) -> str:
        explicit = alias.asname is not None and alias.asname == alias.name.split(".")[-1]
        return ("a" if explicit else "") + ("t" if self.type_checking else "")

    def assignment(self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        for target in targets:
            for node in ast.walk(target) if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                if isinstance(node, ast.Name):
                    self.defs[node.id] = None
                    if node.id == "__all__":
                        names = _strings(value)
                        if names is not None:
                            if isinstance(stmt, ast.AugAssign) and self.all_names is not None:
                                self.all_names.extend(names)
                            else:
                                self.all_names = names
                    table = _lazy_table(value) if value is not None else None
                    if table is not None:
                        self.lazy_vars.add(node.id)
                        self.lazy.extend(table)
                elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                        and node.value.id in self.lazy_vars and isinstance(node.slice, ast.Constant):
                    names = _strings(value)
                    if names is not None:
                        self.lazy.extend((str(node.slice.value), n) for n in names)

    def call(self, call: ast.Call) -> None:
        """``table["sub"].extend([...])``, ``table["sub"].append("x")``, ``table.update({...})``, ``__all__.extend``."""
        func = call.func
        if not isinstance(func, ast.Attribute) or not call.args:
            return
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id == "__all__" and self.all_names is not None:
            names = _strings(call.args[0]) if func.attr == "extend" else None
            if func.attr == "append" and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                names = [call.args[0].value]
            self.all_names.extend(names or [])
        elif isinstance(owner, ast.Subscript) and isinstance(owner.value, ast.Name) \
                and owner.value.id in self.lazy_vars and isinstance(owner.slice, ast.Constant):
            sub = str(owner.slice.value)
            if func.attr == "extend":
                self.lazy.extend((sub, n) for n in _strings(call.args[0]) or [])
            elif func.attr == "append" and isinstance(call.args[0], ast.Constant) \
                    and isinstance(call.args[0].value, str):
                self.lazy.append((sub, call.args[0].value))
        elif isinstance(owner, ast.Name) and owner.id in self.lazy_vars and func.attr == "update":
            self.lazy.extend(_lazy_table(call.args[0]) or [])

    def klass(self, cls: ast.ClassDef, path: str) -> None:
        decorators = _decorator_names(cls)
        is_dataclass = any(d in DATACLASS_DECORATORS for d in decorators)
        own_init = False
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_public(stmt.name):
                self.methods[f"{path}.{stmt.name}"] = None
                self.funcs[f"{path}.{stmt.name}"] = function_signature(stmt)
                own_init = own_init or stmt.name == "__init__"
            elif isinstance(stmt, ast.ClassDef) and is_public(stmt.name):
                self.methods[f"{path}.{stmt.name}"] = None
                self.klass(stmt, f"{path}.{stmt.name}")
        kw_only = any(k.arg == "kw_only" and isinstance(k.value, ast.Constant) and k.value.value is True
                      for d in cls.decorator_list if isinstance(d, ast.Call) for k in d.keywords)
        fields = _dataclass_fields(cls) if is_dataclass and not own_init else ""
        if kw_only and fields:
            fields = "*," + fields
        self.classes[path] = (path, tuple(dotted(b) for b in cls.bases if dotted(b)),
                              is_dataclass and not own_init, fields)


def _attribute_uses(tree: ast.AST, bound: dict[str, str]) -> list[tuple[str, str]]:
    """Names used through an imported module, as ``(module, name)`` pairs like imports: ``jnp.DeviceArray``
    after ``import jax.numpy as jnp`` uses ``DeviceArray`` of ``jax.numpy``; ``jax.tree_util.tree_map``
    uses ``tree_util`` of ``jax`` and ``tree_map`` of ``jax.tree_util``. Scopes are not followed: a local
    variable that shadows an imported name counts as that import (rare, and only ever adds a use)."""
    found: dict[tuple[str, str], None] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain = [node.attr]
        value = node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if not isinstance(value, ast.Name) or value.id not in bound:
            continue
        base = bound[value.id]
        for attr in reversed(chain):
            found[(base, attr)] = None
            base = f"{base}.{attr}"
    return list(found)


def extract(source: str | bytes) -> FileFacts:
    """The facts of one file; raises SyntaxError/ValueError when it does not parse."""
    tree = ast.parse(source)
    collector = _Collector()
    collector.block(tree.body)
    everywhere: dict[tuple[int, str, str], None] = {}
    bound: dict[str, str] = {}  # a name an import binds anywhere in the file -> the dotted path it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                everywhere[(0, alias.name, "")] = None
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    bound[root] = root
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                everywhere[(node.level, node.module or "", alias.name)] = None
                if not node.level and node.module and alias.name != "*":
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for module, name in _attribute_uses(tree, bound):
        everywhere[(0, module, name)] = None
    return FileFacts(
        defs=tuple(collector.defs), imports=tuple(collector.imports), stars=tuple(collector.stars),
        all_names=None if collector.all_names is None else tuple(dict.fromkeys(collector.all_names)),
        lazy=tuple(dict.fromkeys(collector.lazy)), lazy_siblings=collector.lazy_siblings,
        methods=tuple(collector.methods), funcs=tuple(collector.funcs.items()),
        classes=tuple(collector.classes.values()), all_imports=tuple(everywhere))

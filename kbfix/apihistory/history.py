"""LibraryHistory: one library's API history, decoded from its shipped file and parsed on demand.

Loading decompresses the file and splits it into sections; each section becomes a dict of raw
per-module lines the first time it is asked for, and a module's line is parsed the first time that
module is asked for.
"""

from __future__ import annotations

from functools import cached_property

from kbfix.apihistory.codec import Sections, decode_ranges, grouped

MAX_HOPS = 8  # re-export chains followed when resolving a dotted name


class LibraryHistory:
    def __init__(self, name: str, data: bytes):
        self.name = name
        self._raw = Sections(data)
        self.releases: tuple[str, ...] = tuple(self._raw.pop("releases").split())
        self._parsed_symbols: dict[str, dict[str, list[tuple[frozenset[int], str]]]] = {}
        self._parsed_funcs: dict[str, dict[str, list[tuple[int, frozenset[int]]]]] = {}
        self._modules_with: dict[str, list[str]] = {}
        self._callables: dict[tuple[str, str], dict[int, int]] = {}
        self._entries: dict[tuple[str, str], list[tuple[frozenset[int], str]]] = {}

    def _section(self, name: str) -> dict[str, str]:
        return grouped(self._raw.pop(name))

    @cached_property
    def _modules(self) -> dict[str, str]:
        return self._section("modules")

    @cached_property
    def _symbols(self) -> dict[str, str]:
        return self._section("symbols")

    @cached_property
    def _funcs(self) -> dict[str, str]:
        return self._section("funcs")

    @cached_property
    def _imports(self) -> dict[str, str]:
        return self._section("imports")

    @cached_property
    def sigs(self) -> list[str]:
        return self._raw.pop("sigs").split("\n")

    # -- modules and names -------------------------------------------------------------------------
    def module_indices(self, module: str) -> frozenset[int]:
        line = self._modules.get(module)
        return decode_ranges(line) if line is not None else frozenset()

    def known_module(self, module: str) -> bool:
        return module in self._modules or module in self._funcs

    def symbols(self, module: str) -> dict[str, list[tuple[frozenset[int], str]]]:
        """name -> [(releases, origin module or "")] for one public module (methods included)."""
        parsed = self._parsed_symbols.get(module)
        if parsed is None:
            parsed = {}
            line = self._symbols.get(module)
            for entry in line.split("\t") if line else ():
                name = entry.partition(" ")[0]
                parsed.setdefault(name, []).append(self._parse_symbol(module, entry))
            if line is not None:  # methods of the classes defined here (re-exported ones: symbol_entries)
                for path, variants in self.funcs(module).items():
                    if "." in path:
                        parsed.setdefault(path, []).append((frozenset().union(*(i for _, i in variants)), ""))
            self._parsed_symbols[module] = parsed
        return parsed

    def symbol_entries(self, module: str, name: str) -> list[tuple[frozenset[int], str]]:
        """[(releases, origin)] of one name: found in the module's raw line, without parsing the rest
        (a package like ``transformers`` offers ~10,000 names). A method's releases are its signatures'."""
        key = (module, name)
        found = self._entries.get(key)
        if found is None:
            parsed = self._parsed_symbols.get(module)
            if parsed is not None and "." not in name:
                found = parsed.get(name, [])
            else:
                line = self._symbols.get(module)
                found = _entries(line, name, lambda entry: self._parse_symbol(module, entry))
                if "." in name and line is not None:  # a method, also of a class re-exported here
                    indices = frozenset(self.callable_at(module, name))
                    if indices:
                        found.append((indices, ""))
            self._entries[key] = found
        return found

    @staticmethod
    def _parse_symbol(module: str, entry: str) -> tuple[frozenset[int], str]:
        _, ranges, *origin = entry.split(" ")
        origin_module = origin[0] if origin else ""
        if origin_module.startswith("."):
            origin_module = module + origin_module
        return decode_ranges(ranges), origin_module

    def symbol_indices(self, module: str, name: str) -> frozenset[int]:
        out: frozenset[int] = frozenset()
        for indices, _ in self.symbol_entries(module, name):
            out |= indices
        return out

    def modules_with(self, name: str) -> list[str]:
        """Public modules that offer ``name`` in some covered release (a scan of raw lines)."""
        found = self._modules_with.get(name)
        if found is None:
            needle, head = f"\t{name} ", f"{name} "
            found = [module for module, line in self._symbols.items() if line.startswith(head) or needle in line]
            if len(self._modules_with) < 4096:  # bounded: a long-lived server sees unbounded new names
                self._modules_with[name] = found
        return list(found)

    # -- callables ---------------------------------------------------------------------------------
    def funcs(self, module: str) -> dict[str, list[tuple[int, frozenset[int]]]]:
        """object path -> [(signature id, releases)] for one module (private modules included)."""
        parsed = self._parsed_funcs.get(module)
        if parsed is None:
            parsed = {}
            line = self._funcs.get(module)
            for entry in line.split("\t") if line else ():
                path, variants = entry.split(" ")
                parsed[path] = [(int(sid), decode_ranges(ranges))
                                for sid, _, ranges in (v.partition(":") for v in variants.split(";"))]
            self._parsed_funcs[module] = parsed
        return parsed

    def variants(self, module: str, path: str) -> list[tuple[int, frozenset[int]]]:
        """[(signature id, releases)] of one callable, found in the module's raw line."""
        parsed = self._parsed_funcs.get(module)
        if parsed is not None:
            return parsed.get(path, [])
        found = _entries(self._funcs.get(module), path, lambda entry: entry.split(" ")[1])
        return [(int(sid), decode_ranges(ranges)) for variants in found
                for sid, _, ranges in (v.partition(":") for v in variants.split(";"))]

    def callable_at(self, module: str, path: str, hops: int = 0) -> dict[int, int]:
        """release index -> signature id for ``module`` + object ``path``, following re-exports."""
        key = (module, path)
        if hops == 0 and key in self._callables:
            return self._callables[key]
        out: dict[int, int] = {}
        for sid, indices in self.variants(module, path):
            for index in indices:
                out[index] = sid
        if hops >= MAX_HOPS:
            return out
        head, _, rest = path.partition(".")
        for indices, origin in self.symbol_entries(module, head):
            if not origin or origin == module:
                continue
            target_module, target_path = origin, path
            if self.known_module(f"{origin}.{head}"):  # the name is a submodule (`from . import sub`)
                if not rest:
                    continue
                target_module, target_path = f"{origin}.{head}", rest
            for index, sid in self.callable_at(target_module, target_path, hops + 1).items():
                if index in indices:
                    out.setdefault(index, sid)
        if hops == 0:
            self._callables[key] = out
        return out

    def split(self, qualname: str) -> list[tuple[str, str]]:
        """Candidate (module, object path) readings of a dotted name, longest module first."""
        if ":" in qualname:
            module, _, path = qualname.partition(":")
            return [(module, path)]
        parts = qualname.split(".")
        return [(".".join(parts[:i]), ".".join(parts[i:])) for i in range(len(parts) - 1, 0, -1)
                if self.known_module(".".join(parts[:i]))]

    def resolve_callable(self, qualname: str) -> dict[int, int]:
        for module, path in self.split(qualname):
            found = self.callable_at(module, path)
            if not found and not path.endswith(".__init__"):
                found = self.callable_at(module, path + ".__init__")
            if found:
                return found
        return {}

    # -- imports -----------------------------------------------------------------------------------
    def imports(self, other: str) -> list[tuple[str, str, frozenset[int]]]:
        line = self._imports.get(other)
        out = []
        for entry in line.split("\t") if line else ():
            module, name, ranges = entry.split(" ")
            out.append((module, "" if name == "-" else name, decode_ranges(ranges)))
        return out

    def imported_libraries(self) -> tuple[str, ...]:
        return tuple(self._imports)


def _entries(line: str | None, key: str, parse):
    """Parse every tab-separated entry of ``line`` that starts with ``key`` and a space."""
    if not line:
        return []
    out = []
    needle = f"\t{key} "
    text = "\t" + line
    at = text.find(needle)
    while at != -1:
        end = text.find("\t", at + 1)
        out.append(parse(text[at + 1:end if end != -1 else len(text)]))
        at = text.find(needle, at + 1)
    return out

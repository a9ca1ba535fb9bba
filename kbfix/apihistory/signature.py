"""Signature: the parameters of one function in one release, parsed from the codec's signature text."""

from __future__ import annotations

from dataclasses import dataclass

POSITIONAL_ONLY = "positional_only"
POSITIONAL_OR_KEYWORD = "positional_or_keyword"
VAR_POSITIONAL = "var_positional"
KEYWORD_ONLY = "keyword_only"
VAR_KEYWORD = "var_keyword"


@dataclass(frozen=True)
class Param:
    """One parameter of a callable as its source declares it."""

    name: str
    kind: str            # one of the five kinds above, named as inspect.Parameter names them
    has_default: bool


@dataclass(frozen=True)
class Signature:
    """Parameters as written in the source (``self``/``cls`` included for methods).

    ``complete`` is False for a dataclass ``__init__`` whose fields come partly from a base class in
    another library: parameters may then exist that are not listed.
    """

    text: str
    params: tuple[Param, ...]
    complete: bool = True

    @classmethod
    def parse(cls, text: str) -> "Signature":
        params: list[Param] = []
        parts = [p for p in text.split(",") if p]
        complete = not parts or parts[-1] != "+"
        if not complete:
            parts = parts[:-1]
        kind = POSITIONAL_OR_KEYWORD
        if "/" in parts:
            kind = POSITIONAL_ONLY
        for part in parts:
            if part == "/":
                kind = POSITIONAL_OR_KEYWORD
            elif part == "*":
                kind = KEYWORD_ONLY
            elif part.startswith("**"):
                params.append(Param(part[2:], VAR_KEYWORD, False))
            elif part.startswith("*"):
                params.append(Param(part[1:], VAR_POSITIONAL, False))
                kind = KEYWORD_ONLY
            else:
                params.append(Param(part.rstrip("="), kind, part.endswith("=")))
        return cls(text, tuple(params), complete)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def positional(self) -> tuple[str, ...]:
        """Parameters that can be passed by position, in order."""
        return tuple(p.name for p in self.params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD))

    @property
    def required_positional(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params
                     if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD) and not p.has_default)

    @property
    def varargs(self) -> bool:
        return any(p.kind == VAR_POSITIONAL for p in self.params)

    @property
    def varkw(self) -> bool:
        return any(p.kind == VAR_KEYWORD for p in self.params)

    def accepts_keyword(self, name: str) -> bool | None:
        """Whether ``name=...`` is accepted: True, False, or None when the signature is incomplete."""
        if any(p.name == name and p.kind in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY) for p in self.params):
            return True
        if self.varkw:
            return True
        return False if self.complete else None

    def __str__(self) -> str:
        parts = [p for p in self.text.split(",") if p]
        shown = ["..." if p == "+" else (p[:-1] + "=..." if p.endswith("=") else p) for p in parts]
        return "(" + ", ".join(shown) + ")"

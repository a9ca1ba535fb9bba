"""VersionSet: a set of covered releases of one library, formatted as ranges ("4.36-4.46, 4.48").

Outside :mod:`kbfix.apihistory` (which exports it) so that a diagnosis whose version warnings come from
the cached answers (:func:`kbfix.versions.api_releases`) never loads the history package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=4096)
def _key(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def _series(version) -> tuple[int, ...]:
    return tuple(version.release[:2])


@lru_cache(maxsize=64)
def series_sizes(releases: tuple[str, ...]) -> dict[tuple[int, ...], int]:
    """How many of ``releases`` each minor series (4, 50) holds."""
    sizes: dict[tuple[int, ...], int] = {}
    for text in releases:
        key = _key(text)
        if key is not None:
            sizes[_series(key)] = sizes.get(_series(key), 0) + 1
    return sizes


@dataclass(frozen=True)
class VersionSet:
    """Which covered releases of ``library`` have a fact.

    ``covered`` is False when the library is not in the API history: such a set is empty, prints
    "not covered" and answers None to ``contains``. ``releases`` is the library's whole covered release
    list (ascending); ``indices`` index into it.
    """

    library: str
    releases: tuple[str, ...]
    indices: frozenset[int]
    covered: bool = True

    @classmethod
    def not_covered(cls, library: str) -> "VersionSet":
        return cls(library, (), frozenset(), covered=False)

    def versions(self) -> tuple[str, ...]:
        return tuple(self.releases[i] for i in sorted(self.indices))

    def __iter__(self):
        return iter(self.versions())

    def __len__(self) -> int:
        return len(self.indices)

    def __bool__(self) -> bool:
        return bool(self.indices)

    def __or__(self, other: "VersionSet") -> "VersionSet":
        return VersionSet(self.library, self.releases, self.indices | other.indices, self.covered)

    def __and__(self, other: "VersionSet") -> "VersionSet":
        return VersionSet(self.library, self.releases, self.indices & other.indices, self.covered)

    def first(self) -> str | None:
        return self.releases[min(self.indices)] if self.indices else None

    def last(self) -> str | None:
        return self.releases[max(self.indices)] if self.indices else None

    def resolve(self, version: str) -> int | None:
        """The index of the covered release that stands for ``version``: the same release, else the
        nearest covered one of the same minor series (at or below, else above); None outside coverage."""
        if version in self.releases:
            return self.releases.index(version)
        wanted = _key(version)
        if wanted is None:
            return None
        below = above = None
        for index, text in enumerate(self.releases):
            known = _key(text)
            if known is None or _series(known) != _series(wanted):
                continue
            if known <= wanted:
                below = index
            elif above is None:
                above = index
        return below if below is not None else above

    def contains(self, version: str) -> bool | None:
        """Whether the fact holds in ``version``; None when the library or that minor series is not covered."""
        index = self.resolve(version)
        return None if index is None else index in self.indices

    def next_after(self, version: str) -> str | None:
        """The first release in the set later than ``version`` (None when there is none)."""
        wanted = _key(version)
        for index in sorted(self.indices):
            known = _key(self.releases[index])
            if wanted is not None and known is not None and known > wanted:
                return self.releases[index]
        return None

    def previous_before(self, version: str) -> str | None:
        """The last release in the set earlier than ``version``."""
        wanted = _key(version)
        for index in sorted(self.indices, reverse=True):
            known = _key(self.releases[index])
            if wanted is not None and known is not None and known < wanted:
                return self.releases[index]
        return None

    def run_start(self, version: str | None = None) -> str | None:
        """The first release of the run of consecutive releases that holds ``version`` (the user's), else of
        the latest run: where the behaviour the user meets began. A parameter can come, go and come back
        (transformers' ``Trainer.log`` took a third positional argument in 3.x, ``iterator``, and again from
        4.47, ``start_time``): ``first()`` would name the release of the older run."""
        if not self.indices:
            return None
        index = self.resolve(version) if version else None
        start = index if index in self.indices else max(self.indices)
        while start - 1 in self.indices:
            start -= 1
        return self.releases[start]

    def runs(self) -> list[tuple[str, str]]:
        """Maximal runs of consecutive covered releases as (first, last)."""
        out: list[tuple[str, str]] = []
        ordered = sorted(self.indices)
        start = 0
        for position in range(1, len(ordered) + 1):
            if position == len(ordered) or ordered[position] != ordered[position - 1] + 1:
                out.append((self.releases[ordered[start]], self.releases[ordered[position - 1]]))
                start = position
        return out

    def _label(self, version: str) -> str:
        """A release shown by its minor series when it is the only covered release of that series (a
        library, or its older releases, covered by the last patch of each minor series)."""
        key = _key(version)
        if key is None or series_sizes(self.releases).get(_series(key), 0) != 1:
            return version
        return ".".join(str(p) for p in _series(key))

    def __str__(self) -> str:
        if not self.covered:
            return "not covered"
        if not self.indices:
            return "none"
        return ", ".join(self._label(a) if a == b else f"{self._label(a)}-{self._label(b)}" for a, b in self.runs())

    def __repr__(self) -> str:
        return f"VersionSet({self.library!r}, {str(self)!r})"

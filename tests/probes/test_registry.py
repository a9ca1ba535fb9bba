"""PROBES: every probe has the two functions, and every corpus id a probe names exists."""

from kbfix import corpus
from kbfix.probes import PROBES, compare, target


def named_ids(module) -> set[str]:
    kinds = {v for k, v in vars(target).items() if k.isupper() and isinstance(v, str)}
    return {v for k, v in vars(module).items()
            if k.isupper() and isinstance(v, str) and "-" in v and v not in kinds}


def test_probes_are_two_functions():
    assert len(set(PROBES)) == len(PROBES)
    for probe in PROBES:
        assert callable(probe.applies) and callable(probe.run), probe.__name__
        assert probe.__doc__, f"{probe.__name__} needs a docstring saying what it detects"


def test_every_named_entry_exists():
    ids = {entry.id for entry in corpus.load_default().entries}
    named = set().union(*(named_ids(m) for m in (*PROBES, compare)))
    assert len(named) > 15
    assert named <= ids, sorted(named - ids)

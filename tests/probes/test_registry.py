"""PROBES: every probe has the two functions, and every corpus id a probe names exists."""

from kbfix import corpus
from kbfix.artifacts import compare, target
from kbfix.probes import PROBES


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


def test_each_probe_declares_the_entries_it_speaks_to():
    ids = {entry.id for entry in corpus.load_default().entries}
    for probe in PROBES:
        declared = set(probe.ENTRIES)
        assert declared <= ids, (probe.__name__, sorted(declared - ids))
        assert named_ids(probe) <= declared, (probe.__name__, sorted(named_ids(probe) - declared))


def test_a_finding_for_an_undeclared_entry_is_an_error(tmp_path):
    import types

    from kbfix import probes
    from kbfix.model import Finding

    rogue = types.ModuleType("kbfix.probes.rogue")
    rogue.ENTRIES = ("no-trainable-parameters",)
    rogue.applies = lambda target: True
    rogue.run = lambda target: [Finding("x", "y", "z", supports=("cuda-out-of-memory",))]
    (failed,) = probes.run(probes.detect(tmp_path), probes=(rogue,))
    assert failed.kind == "probe-failed" and "cuda-out-of-memory" in failed.error

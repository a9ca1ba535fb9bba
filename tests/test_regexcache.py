"""The regular expressions kept between runs: the same pattern objects, never trusted when damaged."""

import re
import subprocess
import sys

import pytest

from kbfix import regexcache

PATTERNS = [
    (r"^(?P<type>[A-Z]\w*Error): (?P<message>.*)$", re.M),
    (r"(?:size mismatch for (?P<name>[\w.]+))|(?<=\s)x{2,}", 0),
    (r"""\d+  # a commented verbose pattern
         (?P<unit>[KMG]iB)""", re.X | re.I),
    ("报错[：:]\\s*(.+)", 0),
]


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache folder, re's cache emptied for the test, and nothing loaded yet."""
    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(re, "_cache", {})
    monkeypatch.setattr(regexcache, "_loaded", set())
    return tmp_path / "cache"


def compiled_afresh(pattern, flags):
    """The pattern compiled by re's compiler itself, past re's cache."""
    return (getattr(re, "_compiler", None) or __import__("sre_compile")).compile(pattern, flags)


def test_kept_patterns_come_back_identical(fresh, monkeypatch):
    for pattern, flags in PATTERNS:
        re.compile(pattern, flags)
    assert regexcache.keep() is True
    assert regexcache.keep() is False  # nothing new: nothing written

    monkeypatch.setattr(re, "_cache", {})
    monkeypatch.setattr(regexcache, "_loaded", set())
    assert regexcache.warm() == len(PATTERNS)
    for pattern, flags in PATTERNS:
        restored = re._cache[(str, pattern, int(flags))]
        assert restored == compiled_afresh(pattern, flags)  # same flags, pattern and opcodes
        assert re.compile(pattern, flags) is restored  # re.compile's call sites get it as they are
    assert re.compile(PATTERNS[0][0], PATTERNS[0][1]).match("ValueError: bad").group("type") == "ValueError"
    assert re.compile(PATTERNS[3][0]).search("运行报错：oops").group(1) == "oops"


def test_a_damaged_file_is_ignored(fresh, monkeypatch):
    re.compile(PATTERNS[0][0], PATTERNS[0][1])
    assert regexcache.keep()
    (kept,) = fresh.glob("regex-*")
    data = bytearray(kept.read_bytes())
    data[-3] ^= 0xFF
    kept.write_bytes(bytes(data))
    monkeypatch.setattr(re, "_cache", {})
    monkeypatch.setattr(regexcache, "_loaded", set())
    assert regexcache.warm() == 0 and re._cache == {}


def test_oldest_patterns_leave_past_the_limit(fresh, monkeypatch):
    monkeypatch.setattr(regexcache, "MOST", 3)
    for n in range(5):
        re.compile(f"pattern{n}")
    assert regexcache.keep()
    monkeypatch.setattr(re, "_cache", {})
    monkeypatch.setattr(regexcache, "_loaded", set())
    assert regexcache.warm() == 3
    assert {key[1] for key in re._cache} == {"pattern2", "pattern3", "pattern4"}


def test_another_re_internals_make_it_a_no_op(fresh, monkeypatch):
    monkeypatch.setattr(re, "_cache", None)
    assert regexcache.warm() == 0
    assert regexcache.keep() is False


def test_the_command_keeps_and_reuses_them(tmp_path):
    """Two runs of the command: the first keeps the patterns it compiled, the second starts with them
    and answers the same."""
    env = {"KBFIX_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    text = b"Traceback (most recent call last):\nValueError: Tokenizer class LlamaTokenizer does not exist\n"
    runs = [subprocess.run([sys.executable, "-m", "kbfix", "diagnose", "-", "--json"], input=text,
                           capture_output=True, env=env, timeout=120) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.startswith(b"{")
    assert list(tmp_path.glob("regex-*.bin"))
    check = ("import re, kbfix.regexcache as r; n = r.warm(); "
             "print(n, all(p == (getattr(re, '_compiler', None) or __import__('sre_compile')).compile(k[1], k[2]) "
             "for k, p in re._cache.items()))")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, env=env, text=True, timeout=60)
    count, same = out.stdout.split()
    assert int(count) > 50 and same == "True"


def test_only_a_diagnosis_keeps_patterns(tmp_path):
    """`kbfix corpus check` compiles every corpus pattern: it keeps none, so the kept file holds what a
    diagnosis needs."""
    env = {"KBFIX_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "kbfix", "corpus", "list", "--json"], capture_output=True, env=env,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.startswith(b"[")
    assert not list(tmp_path.glob("regex-*.bin"))

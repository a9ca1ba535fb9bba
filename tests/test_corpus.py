"""The corpus is valid, and every entry's labelled cases rank as they say."""

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from kbfix import corpus, traceback
from kbfix.model import Verdict
from conftest import ROOT

CORPUS = corpus.load(ROOT / "corpus", strict=False, validate=True)


def test_corpus_check_passes():
    problems = corpus.check(ROOT / "corpus")
    assert problems == [], "\n".join(map(str, problems))


THREAD_RE = re.compile(r"github\.com/([^/\s]+)/([^/\s]+)/(?:issues|pull|discussions)/(\d+)")


def _thread(url: str) -> tuple[str, ...]:
    m = THREAD_RE.search(url)
    return (m.group(1).lower(), m.group(2).lower(), m.group(3)) if m else (url.strip().lower(),)


def test_no_case_comes_from_a_held_out_thread():
    """The held-out sets measure reports the corpus never saw: a case from the same thread (any post of
    it) would leak the answer into what is measured."""
    eval_root = ROOT / "scripts" / "eval"
    held = set()
    for path in eval_root.glob("*/*.txt"):
        first = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
        if first.startswith("# source:"):
            held.add(_thread(first[len("# source:"):]))
    for line in (eval_root / "titles" / "TITLES.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        held.update(_thread(row[k]) for k in ("url", "source") if row.get(k))
    assert len(held) > 250
    leaked = [f"{c.entry_id}/{c.name}" for c in CORPUS.cases if c.source and _thread(c.source) in held]
    assert not leaked, leaked


def test_skew_labels_name_real_cases_that_exist():
    """scripts/evaluate_skew.py reads the labelled version-skew cases by path: a case renamed (a known
    miss fixed, a case moved to another entry) must be renamed in scripts/skew_labels.jsonl too."""
    rows = [json.loads(line) for line in (ROOT / "scripts" / "skew_labels.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    assert len(rows) > 50
    gone = [row["case"] for row in rows if not (ROOT / row["case"]).is_file()]
    assert not gone, f"renamed or removed: {gone}"
    assert all(Path(row["case"]).name.startswith(("match-real-", "todo-real-")) for row in rows)


def test_ids_are_folder_names_and_unique():
    ids = [e.id for e in CORPUS.entries]
    assert len(ids) == len(set(ids))
    for entry in CORPUS.entries:
        assert Path(entry.path).name == entry.id


SEED_IDS = ["jax-params-dict-key-mismatch", "no-trainable-parameters", "checkpoint-missing-keys-incomplete",
            "checkpoint-size-mismatch-wrong-architecture", "peft-lora-on-tied-lm-head"]


@pytest.mark.parametrize("entry_id", SEED_IDS)
def test_seed_entries_exist_bilingual(entry_id):
    entry = CORPUS.get(entry_id)
    assert entry.title.en and entry.title.zh
    for heading in ("What happened", "Why", "Fix", "Fix safety", "Verify", "References"):
        assert entry.section(heading, "en") and entry.section(heading, "zh")


def _cases(kind):
    return [pytest.param(c, id=f"{c.entry_id}/{c.name}") for c in CORPUS.cases if c.kind == kind]


@pytest.mark.parametrize("case", _cases("match"))
def test_match_case_ranks_its_entry_first(engine, case):
    report = engine.diagnose(traceback.parse(case.text))
    top = [(m.entry.id, m.confidence) for m in report.matches]
    assert report.verdict == "match" and top[0][0] == case.entry_id, top


@pytest.mark.parametrize("case", _cases("nomatch"))
def test_nomatch_case_does_not_rank_its_entry_first(engine, case):
    report = engine.diagnose(traceback.parse(case.text))
    assert not (report.verdict == "match" and report.matches[0].entry.id == case.entry_id), \
        [(m.entry.id, m.confidence) for m in report.matches]


@pytest.mark.parametrize("case", _cases("todo"))
def test_todo_cases_are_reported(engine, case):
    """``todo-*``: a known miss; ``todo-nomatch-*``: a known false alarm (a look-alike the paste gives
    no way to tell apart). Both are reported, not failing; one that is fixed must be renamed."""
    report = engine.diagnose(traceback.parse(case.text))
    claimed = report.verdict == "match" and report.matches[0].entry.id == case.entry_id
    if case.name.startswith("todo-nomatch"):
        if not claimed:
            pytest.fail(f"{case.entry_id}/{case.name} is no longer claimed: rename it to nomatch-*")
        pytest.xfail("known false alarm (todo-nomatch case)")
    if claimed:
        pytest.fail(f"{case.entry_id}/{case.name} now matches: rename it to match-*")
    pytest.xfail("known miss (todo case)")


# --- schema errors tell the author what to write -------------------------------------------------

GOOD = (ROOT / "corpus" / "no-trainable-parameters")


def _copy_entry(tmp_path, name="no-trainable-parameters"):
    root = tmp_path / "corpus"
    shutil.copytree(GOOD, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root, root / name


def test_id_must_equal_folder(tmp_path):
    root, _ = _copy_entry(tmp_path, "renamed-entry")
    problems = corpus.check(root)
    assert any(p.field == "id" and 'id = "renamed-entry"' in p.message for p in problems)


def test_bad_fields_name_file_field_and_fix(tmp_path):
    root, folder = _copy_entry(tmp_path)
    text = (folder / "entry.md").read_text()
    text = text.replace('applicability = "safe"', 'applicability = "maybe"', 1)
    text = text.replace("message = 'optimizer got an empty parameter list'", "message = 'unclosed ('", 1)
    text = text.replace('title.zh = "所有参数都被冻结，优化器没有可训练的参数"\n', "", 1)
    (folder / "entry.md").write_text(text)
    problems = {(Path(p.file).name, p.field): p.message for p in corpus.check(root)}
    assert "safe, unsafe, display-only" in problems[("entry.md", "fixes[0].applicability")]
    assert "invalid regular expression" in problems[("entry.md", "signatures[0].message")]
    assert 'title.zh = "..."' in problems[("entry.md", "title.zh")]


def test_misplaced_top_level_key_gets_a_hint(tmp_path):
    root, folder = _copy_entry(tmp_path)
    text = (folder / "entry.md").read_text().replace("\n+++\n", '\ncascade = false\n+++\n', 1)
    (folder / "entry.md").write_text(text)
    problems = [p for p in corpus.check(root) if p.field.endswith("cascade")]
    assert problems and "move it above the first" in problems[0].message


def test_missing_chinese_body_and_cases(tmp_path):
    root, folder = _copy_entry(tmp_path)
    (folder / "entry.zh.md").unlink()
    for path in (folder / "cases").glob("nomatch-*"):
        path.unlink()
    messages = " | ".join(str(p) for p in corpus.check(root))
    assert "entry.zh.md: missing" in messages and "nomatch-" in messages


def test_wrong_headings_are_listed(tmp_path):
    root, folder = _copy_entry(tmp_path)
    body = (folder / "entry.md").read_text().replace("## Fix safety", "## Safety")
    (folder / "entry.md").write_text(body)
    problems = [p for p in corpus.check(root) if p.field == "entry.md body"]
    assert problems and "What happened / Why / Fix / Fix safety / Verify / References" in problems[0].message


def test_invalid_entries_are_skipped_at_run_time(tmp_path):
    root, folder = _copy_entry(tmp_path)
    (folder / "entry.md").write_text("no front matter")
    loaded = corpus.load(root, strict=False, validate=True)
    assert loaded.entries == () and loaded.problems
    with pytest.raises(corpus.CorpusError, match="front matter"):
        corpus.load(root)


def test_the_cached_corpus_follows_every_edit(tmp_path, monkeypatch):
    """The run-time load keeps parsed entries per corpus version: a case edited in place (same folder, same
    size), a file added or removed, and an entry edited are each seen by the next load."""
    import os

    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path / "cache"))
    root, folder = _copy_entry(tmp_path)
    first = corpus.load_cached(root)
    assert first.hash == corpus.load(root, strict=False).hash and corpus.load_cached(root).hash == first.hash
    case = sorted((folder / "cases").glob("match-*.txt"))[0]
    stamp = os.stat(folder / "cases").st_mtime_ns
    text = case.read_text()
    case.write_text(text.replace("a", "b", 1) if "a" in text else text + " ")  # same size when "a" is there
    os.utime(folder / "cases", ns=(stamp, stamp))  # the folder's time as it was: only the file tells
    edited = corpus.load_cached(root)
    assert edited.hash != first.hash and edited.hash == corpus.load(root, strict=False).hash
    (folder / "cases" / "nomatch-extra.txt").write_text("ValueError: unrelated\n")
    added = corpus.load_cached(root)
    assert added.hash not in (first.hash, edited.hash)
    entry = folder / "entry.md"
    entry.write_text(entry.read_text().replace("title.en = \"", "title.en = \"Edited: ", 1))
    assert corpus.load_cached(root).entries[0].title.en.startswith("Edited: ")


def test_the_cached_corpus_rebuilds_fixes_only_when_asked(tmp_path, monkeypatch):
    """A cached entry keeps its fixes, verification record and references as one blob, rebuilt on first use:
    the same values as a full parse (enums and all), and the blob is gone once they are."""
    from kbfix.model import Applicability

    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path / "cache"))
    root, _ = _copy_entry(tmp_path)
    parsed = corpus.load(root, strict=False).entries[0]
    corpus.load_cached(root)  # builds the cache
    cached = corpus.load_cached(root).entries[0]
    assert "fixes" not in vars(cached) and "_details" in vars(cached)
    assert cached.fixes == parsed.fixes and isinstance(cached.fixes[0].applicability, Applicability)
    assert cached.verified == parsed.verified and cached.references == parsed.references != ()
    assert "_details" not in vars(cached) and cached == parsed


def test_look_alike_cases_are_stamped_by_name(tmp_path, monkeypatch):
    """Nothing at run time reads a look-alike or a known miss: one edited in place keeps the cached corpus
    (no stat of it on a cold run), one added or renamed is seen."""
    import os

    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path / "cache"))
    root, folder = _copy_entry(tmp_path)
    first = corpus.load_cached(root)
    look_alike = folder / "cases" / "nomatch-extra.txt"
    look_alike.write_text("ValueError: unrelated\n")
    added = corpus.load_cached(root)
    assert added.hash != first.hash
    stamp = os.stat(folder / "cases").st_mtime_ns
    look_alike.write_text("ValueError: edited in place\n")
    os.utime(folder / "cases", ns=(stamp, stamp))
    assert corpus.load_cached(root).hash == added.hash  # not stamped: the cached copy stands
    look_alike.rename(folder / "cases" / "nomatch-renamed.txt")
    assert corpus.load_cached(root).hash == corpus.load(root, strict=False).hash != added.hash


def test_the_cached_corpus_reads_bodies_from_the_entry_files(tmp_path, monkeypatch):
    """The cache leaves bodies out and reads them from the folder on first use: the same text as a full parse,
    in both languages, and an edited body is what the next load shows."""
    monkeypatch.setenv("KBFIX_CACHE_DIR", str(tmp_path / "cache"))
    root, folder = _copy_entry(tmp_path)
    parsed = corpus.load(root, strict=False).entries[0]
    corpus.load_cached(root)  # builds the cache
    cached = corpus.load_cached(root).entries[0]
    assert type(cached.body) is not type(parsed.body)  # the cached copy, whose body is read on first use
    assert cached == parsed and parsed == cached  # an entry compares by its text, however it was loaded
    assert cached.body.en == parsed.body.en and cached.body.zh == parsed.body.zh and parsed.body.zh
    assert cached.section("Fix", "zh") == parsed.section("Fix", "zh") != ""
    entry = folder / "entry.md"
    entry.write_text(entry.read_text().replace("## Fix\n", "## Fix\nEdited first line.\n", 1))
    assert "Edited first line." in corpus.load_cached(root).entries[0].section("Fix")
    gone = corpus.load_cached(root).entries[0]
    entry.unlink()  # removed while the run goes on: the answer says so instead of a traceback or an empty text
    assert "could not be read" in gone.body.en and "kbfix corpus check" in gone.body.zh


def test_guide_example_front_matter_parses():
    guide = (ROOT / "corpus" / "README.md").read_text()
    toml_block = guide.split("```toml\n", 1)[1].split("```", 1)[0]
    import tomllib

    data = tomllib.loads(textwrap.dedent(toml_block))
    assert data["id"] == "no-trainable-parameters" and data["fixes"][0]["applicability"] == "safe"


def test_refines_must_name_another_entry(tmp_path):
    root, folder = _copy_entry(tmp_path)
    text = (folder / "entry.md").read_text().replace("\ntags = ", '\nrefines = ["no-such-entry"]\ntags = ', 1)
    (folder / "entry.md").write_text(text)
    problems = [p for p in corpus.check(root) if p.field == "refines"]
    assert problems and "no-such-entry" in problems[0].message



def _variant_cases():
    from kbfix import pastes

    params = []
    for case in CORPUS.cases:
        if case.kind != "match":
            continue
        for form, text in pastes.variants(case.text).items():
            params.append(pytest.param(case.entry_id, text, id=f"{case.entry_id}/{case.name}/{form}"))
    return params


@pytest.mark.parametrize("entry_id, text", _variant_cases())
def test_match_case_keeps_its_entry_first_in_every_paste_form(engine, entry_id, text):
    """The same paste with its header dropped, glued to Chinese prose, cut mid-line, behind a vLLM or Ray
    prefix ... (kbfix/pastes.py): the entry stays first, confident or not.

    A form can cut away every line that tells this cause from its neighbours (the bottom of a log that
    ends in a launcher's echo, a message that was all in its exception line, the frame that says which
    embedding table overflowed). Then the one thing asked is silence: no confident answer, or the more
    general entry this one refines (``refines``: the frames that said which out-of-memory this was are
    gone, and "CUDA out of memory" is still a right answer).
    """
    report = engine.diagnose(traceback.parse(text))
    ranked = [(m.entry.id, round(m.confidence, 3)) for m in report.matches[:3]]
    if report.matches and report.matches[0].entry.id == entry_id:
        return
    if report.matches and report.matches[0].entry.id in CORPUS.get(entry_id).refines:
        return
    assert report.verdict != Verdict.MATCH, ranked


def test_titles_must_come_from_the_entrys_own_real_cases(tmp_path):
    root, folder = _copy_entry(tmp_path)
    cited = next(c.source for c in corpus.read_cases(folder) if c.kind == "match" and c.source)
    (folder / "titles.txt").write_text(
        f"{cited}#issuecomment-1 every parameter frozen, deepspeed IndexError\n"
        "https://github.com/someone/else/issues/1 a thread no case of this entry comes from\n"
        "a title without its thread\n", encoding="utf-8")
    problems = {p.field: p.message for p in corpus.check(root) if Path(p.file).name == "titles.txt"}
    assert set(problems) == {"line 2", "line 3"}
    assert "not the '# source:'" in problems["line 2"] and "<thread URL> <title>" in problems["line 3"]
    assert corpus.read_titles(folder) == [
        (f"{cited}#issuecomment-1", "every parameter frozen, deepspeed IndexError"),
        ("https://github.com/someone/else/issues/1", "a thread no case of this entry comes from")]


def test_titles_may_come_from_the_entrys_known_misses_but_not_its_look_alikes(tmp_path):
    """A thread whose error stands only in its title (the body is prose or a command) is a known miss
    (``todo-*``) of the entry: its title is the entry's; a look-alike's (``todo-nomatch-*``) is not."""
    root, folder = _copy_entry(tmp_path)
    (folder / "cases" / "todo-real-title-only.txt").write_text(
        "# source: https://github.com/someone/miss/issues/7\nI get this error after merging, how to fix?\n", encoding="utf-8")
    (folder / "cases" / "todo-nomatch-real-other-cause.txt").write_text(
        "# source: https://github.com/someone/other/issues/8\nsome other error\n", encoding="utf-8")
    (folder / "titles.txt").write_text(
        "https://github.com/someone/miss/issues/7 random tokens after merge_and_unload\n"
        "https://github.com/someone/other/issues/8 a look-alike with another cause\n", encoding="utf-8")
    problems = {p.field: p.message for p in corpus.check(root) if Path(p.file).name == "titles.txt"}
    assert set(problems) == {"line 2"} and "not the '# source:'" in problems["line 2"]


def test_thread_titles_are_retrieval_documents(tmp_path):
    from kbfix.engine.documents import corpus_docs

    root, folder = _copy_entry(tmp_path)
    cited = next(c.source for c in corpus.read_cases(folder) if c.kind == "match" and c.source)
    (folder / "titles.txt").write_text(f"{cited} 全部参数冻结后 DeepSpeed 报 IndexError\n", encoding="utf-8")
    docs = [d for d in corpus_docs(corpus.load(root)) if d.source.startswith("report:")]
    assert [(d.entry_id, d.source, d.text) for d in docs] == [
        ("no-trainable-parameters", f"report:{cited}", "全部参数冻结后 DeepSpeed 报 IndexError")]


def test_no_merge_conflict_markers_are_left_in_the_tree():
    """A merge that stopped half-way leaves ``<<<<<<<`` / ``>>>>>>>`` lines that `kbfix corpus check` reads as text."""
    root = Path(__file__).resolve().parent.parent
    found = []
    for folder, patterns in (("corpus", ("*.md", "*.txt", "*.py")), ("kbfix", ("*.py", "*.md")),
                             ("scripts", ("*.py",)), ("tests", ("*.py",))):
        for pattern in patterns:
            for path in (root / folder).rglob(pattern):
                for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                    if line.startswith(("<<<<<<< ", ">>>>>>> ")):
                        found.append(f"{path.relative_to(root)}:{number}")
    assert not found, found

"""Every reproducer triggers the real error, kbfix names it, and the fix makes it go away.

A reproducer that needs a GPU is skipped where none is visible; the run ``scripts/verify_gpu.py``
recorded on a GPU (``gpu_run.json``) is checked instead: what the library printed there must still be
named by this corpus and engine.
"""

import os
from pathlib import Path

import pytest

from kbfix import corpus, traceback
from kbfix.reproduce import GPU_RUN, NO_GPU, devices, recorded, run, source_hash
from conftest import ROOT

ENTRIES = [e for e in corpus.load(ROOT / "corpus", strict=False, validate=True).entries if (Path(e.path) / "reproduce.py").exists()]
GPU_ENTRIES = [e for e in ENTRIES if "cuda" in devices(Path(e.path) / "reproduce.py")]
RECORDED = [e for e in ENTRIES if e in GPU_ENTRIES or (Path(e.path) / GPU_RUN).exists()]


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.id) for e in ENTRIES])
def test_reproducer(engine, entry):
    outcome = run(Path(entry.path))
    if outcome.missing:
        pytest.skip(f"needs {', '.join(outcome.missing)}")
    check_outcome(engine, entry, outcome)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.id) for e in RECORDED])
def test_recorded_gpu_run(engine, entry):
    """What the reproducer printed on a GPU machine is still named, and its fix ran clean there. A
    reproducer that needs a GPU must have a current record; a CPU reproducer's record (the same setup
    as a GPU user meets it) counts while the reproducer is unchanged."""
    folder = Path(entry.path)
    outcome, record = recorded(folder)
    needs_gpu = "cpu" not in devices(folder / "reproduce.py")
    if outcome is None:
        assert not needs_gpu, f"no {GPU_RUN}: run scripts/verify_gpu.py on a GPU machine"
        pytest.skip(f"no {GPU_RUN}")
    if record["reproducer"] != source_hash(folder):
        assert not needs_gpu, f"reproduce.py changed since its GPU run: run scripts/verify_gpu.py {entry.id} on a GPU machine"
        pytest.skip(f"reproduce.py changed since its GPU run ({GPU_RUN} is stale)")
    assert not outcome.missing and record["device"], record
    check_outcome(engine, entry, outcome)


def test_gpu_reproducer_is_skipped_without_a_gpu():
    from kbfix.reproduce import cuda_visible

    if cuda_visible():
        pytest.skip("a GPU is visible here")
    gpu_only = [e for e in GPU_ENTRIES if "cpu" not in devices(Path(e.path) / "reproduce.py")]
    assert gpu_only
    assert run(Path(gpu_only[0].path)).missing == (NO_GPU,)


def test_a_reproducer_whose_source_distribution_is_absent_is_skipped_and_runs_once_it_is_there(tmp_path, monkeypatch):
    """``SOURCES`` names a source distribution (a script only its sdist ships): without the unpacked folder under
    ``KBFIX_SOURCES`` the reproducer is skipped like one whose module is missing; with it, it runs and can read it."""
    from kbfix.reproduce import SOURCES_ENV, source_folder

    entry_dir = tmp_path / "some-entry"
    entry_dir.mkdir()
    (entry_dir / "reproduce.py").write_text(
        'from kbfix.reproduce import source_folder\n'
        'SOURCES = ("demo-pkg==1.2",)\n'
        'def reproduce():\n'
        '    raise ValueError((source_folder(SOURCES[0]) / "tool.py").read_text())\n'
        'def fixed():\n'
        '    return "fine"\n')
    monkeypatch.delenv(SOURCES_ENV, raising=False)
    assert run(entry_dir).missing == ("the source of demo-pkg==1.2",)
    monkeypatch.setenv(SOURCES_ENV, str(tmp_path / "sources"))
    unpacked = tmp_path / "sources" / "demo-pkg-1.2"
    unpacked.mkdir(parents=True)
    (unpacked / "tool.py").write_text("the tool's own words")
    assert run(entry_dir).missing  # not complete yet: an interrupted unpack is not used
    (unpacked / ".complete").write_text("demo-pkg==1.2\n")
    assert source_folder("demo-pkg==1.2") == unpacked
    outcome = run(entry_dir)
    assert not outcome.missing and outcome.raised and "the tool's own words" in outcome.error_text
    assert outcome.fixed_text == "fine"


def test_llama_cpp_convert_runs_the_unpacked_converter_and_says_when_it_is_absent(tmp_path, monkeypatch):
    """``llama_cpp_convert`` runs a converter of an unpacked llama-cpp-python sdist as its own script, with its
    ``gguf-py`` first on the path, and names the missing source distribution instead of a bare path error."""
    from kbfix.reproduce import SOURCES_ENV, llama_cpp_convert

    monkeypatch.setenv(SOURCES_ENV, str(tmp_path / "sources"))
    with pytest.raises(RuntimeError, match="verify.py --overlays"):
        llama_cpp_convert("llama-cpp-python==9.9.9", "convert_hf_to_gguf.py")
    unpacked = tmp_path / "sources" / "llama-cpp-python-9.9.9"
    vendor = unpacked / "vendor" / "llama.cpp"
    (vendor / "gguf-py" / "gguf").mkdir(parents=True)
    (vendor / "gguf-py" / "gguf" / "__init__.py").write_text("WHERE = 'vendored gguf-py'\n")
    (vendor / "convert_hf_to_gguf.py").write_text("import sys, gguf\nprint(gguf.WHERE, sys.argv[1:])\n")
    (unpacked / ".complete").write_text("llama-cpp-python==9.9.9\n")
    code, output = llama_cpp_convert("llama-cpp-python==9.9.9", "convert_hf_to_gguf.py", "model-dir", "--outfile", "x")
    assert code == 0 and "vendored gguf-py ['model-dir', '--outfile', 'x']" in output, output


def check_outcome(engine, entry, outcome):
    assert outcome.error_text.strip(), "reproduce() neither raised nor returned the library's output"
    report = engine.diagnose(traceback.parse(outcome.error_text))
    ranked = [(m.entry.id, m.confidence) for m in report.matches]
    assert report.verdict == "match" and ranked[0][0] == entry.id, (ranked, outcome.error_text[-1500:])
    assert not outcome.fixed_error, f"fixed() still fails:\n{outcome.fixed_error}"
    if outcome.fixed_text.strip():
        after = engine.diagnose(traceback.parse(outcome.fixed_text))
        assert not (after.verdict == "match" and after.matches[0].entry.id == entry.id), outcome.fixed_text[-1500:]
    for index in outcome.fixes:
        assert entry.fixes[index].verification == "reproducer", f"fix {index} is proven here: mark it verification = 'reproducer'"


def test_run_script_runs_a_fresh_interpreter_with_the_environment_asked_for(monkeypatch):
    """Reproducers of process-wide state and launchers run their script in a new process: arguments after
    the script, variables added and taken out (a variable the parent has must not leak into the child)."""
    from kbfix.reproduce import run_script

    monkeypatch.setenv("KBFIX_TEST_UNSET", "leaked")
    code, output = run_script(
        "import os, sys\nprint(sys.argv[1:], os.environ['KBFIX_TEST_ADDED'], 'KBFIX_TEST_UNSET' in os.environ, "
        "os.environ['OMP_NUM_THREADS'])\nsys.exit(3)\n",
        args=("--epochs", "1"), env={"KBFIX_TEST_ADDED": "yes", "OMP_NUM_THREADS": "2"}, unset=("KBFIX_TEST_UNSET",))
    assert code == 3 and "['--epochs', '1'] yes False 2" in output, output


def test_run_script_without_an_overlay_folder_imports_what_sits_behind_it(tmp_path):
    """The upgrade fix of an older-release-in-front reproducer: the same script run ``without`` the overlay's
    folder imports the module from the folder behind it (the environment's newer release)."""
    from kbfix.reproduce import run_script

    overlay, site = tmp_path / "overlay", tmp_path / "site"
    for folder, release in ((overlay, "0.21.0"), (site, "1.16.0")):
        folder.mkdir()
        (folder / "kbfixdemo.py").write_text(f"__version__ = {release!r}\n")
    env = {"PYTHONPATH": os.pathsep.join((str(overlay), str(site)))}
    script = "import kbfixdemo\nprint('kbfixdemo', kbfixdemo.__version__)\n"
    assert "kbfixdemo 0.21.0" in run_script(script, env=env)[1]
    code, output = run_script(script, env=env, without=str(overlay))
    assert code == 0 and "kbfixdemo 1.16.0" in output, output


def test_release_within_reads_the_installed_release():
    """Reproducers of an error that only some releases raise skip themselves elsewhere; a package that is
    not installed counts as inside (its REQUIRES skips the reproducer anyway)."""
    from importlib.metadata import version

    from kbfix.reproduce import release_within

    major, minor = (int(part) for part in version("pytest").split(".")[:2])
    assert release_within("pytest", (major, minor), (major, minor + 1))
    assert release_within("pytest", (major, 0))
    assert not release_within("pytest", (major + 1, 0))
    assert not release_within("pytest", (0, 0), (major, minor))
    assert release_within("kbfix-no-such-package", (1, 0), (2, 0))
    # a patch release that changed the error: bounds of three parts compare the patch too
    major, minor, patch = (int(part) for part in version("pytest").split(".")[:3])
    assert release_within("pytest", (major, minor, patch), (major, minor, patch + 1))
    assert not release_within("pytest", (major, minor, patch + 1))
    assert not release_within("pytest", (0, 0, 0), (major, minor, patch))


def test_older_in_front_finds_an_overlay_only_in_front_of_a_newer_release(tmp_path, monkeypatch):
    """Reproducers of an error of an older release run it from a PYTHONPATH overlay (OVERLAY) and their fix with
    that folder dropped: the folder counts only when it imports first and a newer release sits behind it."""
    from kbfix.reproduce import older_in_front

    def install(folder, release):
        info = tmp_path / folder / f"kbfixdemo-{release}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: kbfixdemo\nVersion: {release}\n")
        return str(tmp_path / folder)

    old, new = install("overlay", "0.21.0"), install("site", "1.16.0")
    monkeypatch.setattr("sys.path", [old, new])
    assert older_in_front("kbfixdemo", (0, 23)) == str((tmp_path / "overlay").resolve())
    monkeypatch.setattr("sys.path", [new, old])  # the newer one imports first: no overlay in front
    assert older_in_front("kbfixdemo", (0, 23)) is None
    monkeypatch.setattr("sys.path", [old])  # nothing newer behind it: the fix could not be shown
    assert older_in_front("kbfixdemo", (0, 23)) is None


def test_one_rank_gloo_prelude_starts_a_process_group():
    """Reproducers of real FSDP/DDP errors on the CPU start their script with it: one gloo rank, no launcher."""
    from kbfix.reproduce import ONE_RANK_GLOO, run_script

    code, output = run_script(ONE_RANK_GLOO + "print('world', _dist.get_world_size(), _dist.get_backend())\n"
                              "_dist.destroy_process_group()\n", timeout=120)
    assert code == 0 and "world 1 gloo" in output, output


def test_free_port_and_one_rank_env_are_what_a_launcher_gives_rank_0():
    """The DeepSpeed and c10d reproducers take their rendezvous port and rank-0 environment from here."""
    import socket

    from kbfix.reproduce import free_port, one_rank_env

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", int(port)))  # nobody holds it
    env = one_rank_env(port)
    assert env == {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port, "RANK": "0", "WORLD_SIZE": "1",
                   "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": "1"}
    assert one_rank_env()["MASTER_PORT"].isdigit()

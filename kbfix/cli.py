"""The command line: the only module that touches argv, stdin, stdout and exit codes.

Exit codes (documented in the README and ``kbfix --help``):
  0  a confident match, or no error at all (``diagnose``, ``inspect``); a passing check (``corpus check``, ``verify``)
  1  no confident match / the corpus has problems / verification failed
  2  usage or input error, or a check that needs an extra that is not installed: the message is on stderr
  3  ``verify`` could not check: no check for the entry applies to the paths given
  130 interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

EXIT_MATCH, EXIT_NO_MATCH, EXIT_INPUT, EXIT_UNCHECKED, EXIT_INTERRUPT = 0, 1, 2, 3, 130
EPILOG = """exit codes:
  0    confident match, no error found, or no problems found; verify: passed
  1    no confident match; verify: failed (the cause is still there); corpus check: problems
  2    usage or input error, or a check needs an extra that is not installed (message on stderr)
  3    verify: could not check (no check for the entry applies to the paths given)
  130  interrupted

examples:
  python train.py 2>&1 | kbfix            pass the log through, then diagnose it
  kbfix diagnose tb.txt --json            machine-readable diagnosis
  kbfix inspect ./output/checkpoint-500   diagnose from artifacts
"""


class UsageError(Exception):
    """A problem with what the user gave us (exit 2)."""


LANGS = ("en", "zh")


def _default_lang() -> str:
    """$KBFIX_LANG when it names a language kbfix speaks, else English (with a word on stderr)."""
    value = os.environ.get("KBFIX_LANG", "en").strip().lower()
    if value.startswith("zh"):
        return "zh"
    if value not in ("", "en") and not value.startswith("en"):
        print(f"kbfix: KBFIX_LANG={value!r} is not a language kbfix speaks ({', '.join(LANGS)}); using en",
              file=sys.stderr)
    return "en"


def _common(parser: argparse.ArgumentParser, lang: str, *, with_top: bool = True) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (schema in kbfix/schema/)")
    parser.add_argument("--lang", choices=LANGS, default=lang,
                        help="language of titles and explanations (default: en, or $KBFIX_LANG)")
    if with_top:
        parser.add_argument("--top", type=_positive, default=3, metavar="K", help="show up to K matches (default 3)")
    parser.add_argument("--model", metavar="NAME_OR_PATH",
                        help="sentence-transformers model for dense retrieval (default: the bundled encoder, or $KBFIX_MODEL)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text output: auto (a terminal, unless $NO_COLOR is set), always, never")
    parser.add_argument("--no-redact", action="store_true",
                        help="keep tokens, keys and e-mail addresses from the log in the output (redacted by default)")


def _events(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", metavar="FILE",
                        help="write JSON Lines events (warning, error, diagnosis) to FILE as the log streams")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _help_width() -> int:
    """The width argparse's help would use (``$COLUMNS``, else the terminal's, else 80; minus 2), read
    without ``shutil``: argparse imports it in every formatter only for this, and it brings bz2, lzma
    and zlib, 2 ms of each cold run that never prints help."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns if columns > 0 else 80) - 2


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, width or _help_width())


class _RawFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse's parser with :class:`_Formatter` (raw descriptions stay raw); its subcommands' parsers
    are of this class too."""

    def __init__(self, *args, formatter_class=argparse.HelpFormatter, **kwargs):
        raw = issubclass(formatter_class, argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, formatter_class=_RawFormatter if raw else _Formatter, **kwargs)


def _keep_compiled_patterns() -> None:
    """A diagnosis started as the command keeps the regular expressions it compiled for the next one
    (:mod:`kbfix.regexcache`): the cold path whose time matters. Other commands (``corpus check`` compiles
    every corpus pattern) keep nothing, so the kept file stays what a diagnosis needs."""
    regexcache = sys.modules.get("kbfix.regexcache")
    if regexcache is not None and regexcache.warmed:
        import atexit

        atexit.register(regexcache.keep)


def make_parser() -> argparse.ArgumentParser:
    from kbfix import __version__

    lang = _default_lang()

    parser = _Parser(
        prog="kbfix", description="Diagnose fine-tuning errors offline: pipe a traceback in, get the root cause and a fix.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kbfix {__version__}")
    _common(parser, lang)
    parser.add_argument("--tui", action="store_true", help="with piped input: open the terminal UI on it")
    _events(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("diagnose", help="diagnose a traceback or log (FILE, or - / stdin)", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", metavar="FILE|-", help="the log or traceback; - or nothing reads standard input")
    _common(p, lang)
    p.add_argument("--inspect", action="append", default=[], metavar="PATH",
                   help="also inspect this checkpoint, adapter or training config (repeatable)")
    _events(p)
    p.add_argument("--verbose", action="store_true", help="show the scores behind each candidate")

    p = sub.add_parser("inspect", help="diagnose from checkpoints, adapters and training configs")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="checkpoint folder or file, adapter folder, training config (YAML/JSON), DeepSpeed JSON")
    _common(p, lang)

    p = sub.add_parser(
        "verify", help="after a fix: re-check an entry against your artifacts (exit 0 passed, 1 failed, 3 could not check)",
        description="Re-run the checks tied to the corpus entry ID against checkpoints, adapters or configs: "
                    "passed (exit 0) when a check clears it and none still finds it, failed (exit 1) when one "
                    "still finds it, could not check (exit 3) when no check for ID applies to the paths.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("entry_id", metavar="ID", help="the corpus entry to re-check (kbfix corpus list shows the ids)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="checkpoint folder or file, adapter folder, training config")
    p.add_argument("--json", action="store_true", help="print one JSON object: entry, outcome, passed, facts, findings")

    p = sub.add_parser("corpus", help="list, show or check the knowledge base")
    csub = p.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    c = csub.add_parser("list", help="one line per entry")
    c.add_argument("--json", action="store_true", help="print a JSON list: id, title, tags, reproducer")
    c.add_argument("--lang", choices=LANGS, default=lang, help="language of the titles (default: en, or $KBFIX_LANG)")
    c = csub.add_parser("show", help="one entry in full")
    c.add_argument("entry_id", metavar="ID", help="the entry's id (kbfix corpus list shows them)")
    c.add_argument("--json", action="store_true", help="print the entry as JSON (schema in kbfix/schema/)")
    c.add_argument("--lang", choices=LANGS, default=lang, help="language of the entry (default: en, or $KBFIX_LANG)")
    csub.add_parser("check", help="validate every entry (exit 1 on problems)")

    p = sub.add_parser("index", help="rebuild the dense retrieval index now (otherwise built on first use)",
                       description="Rebuild the retrieval index in the cache folder ($KBFIX_CACHE_DIR, else "
                                   "~/.cache/kbfix) for the bundled encoder or the one --model names.")
    p.add_argument("--model", metavar="NAME_OR_PATH",
                   help="sentence-transformers model to index with (needs kbfix[models]; default: the bundled encoder)")

    p = sub.add_parser("tui", help="open the terminal UI, optionally on a log file (also: kbfix in a terminal)")
    p.add_argument("file", nargs="?", metavar="FILE", help="a log or traceback file to open")
    p.add_argument("--lang", choices=("en", "zh"), default=argparse.SUPPRESS,  # kbfix --lang zh tui still works
                   help="language of titles and explanations (default: en, or $KBFIX_LANG)")

    sub.add_parser("mcp", help="serve diagnoses to AI agents: a Model Context Protocol server on stdio "
                               "(needs the 'editors' extra)")
    p = sub.add_parser("lsp", help="language server on stdio: diagnostics, hover and fix actions on open logs "
                                   "(needs the 'editors' extra)")
    p.add_argument("--stdio", action="store_true", help="accepted for clients that pass it (stdio is the default)")

    p = sub.add_parser("run", help="run a Python script like python does and diagnose an uncaught exception",
                       description="Run SCRIPT as __main__ with ARGS; on an uncaught exception print the usual "
                                   "traceback, then the diagnosis, using the models, trainers and optimizers "
                                   "in the failing frames as evidence. The exit status is the script's.")
    p.add_argument("--lang", choices=("en", "zh"), default=lang,
                   help="language of the diagnosis (default: en, or $KBFIX_LANG)")
    p.add_argument("script", metavar="SCRIPT", help="the Python script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments passed to the script")
    return parser


# --- helpers ----------------------------------------------------------------------------------

def _color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _read_input(file: str | None, *, echo=None, watch=None) -> tuple[str, bool]:
    """Return (text, truncated) from FILE, '-' or stdin; raise InputError on bad input."""
    from kbfix.reader import InputError, check_text, read_stream

    if file in (None, "-"):
        if file is None and sys.stdin.isatty():
            raise UsageError("no input: give a FILE, or pipe a log: python train.py 2>&1 | kbfix")
        excerpt = read_stream(sys.stdin.buffer, echo=echo, on_lines=watch and watch.feed)
    else:
        path = Path(file)
        if not path.exists():
            raise UsageError(f"{file}: no such file")
        if path.is_dir():
            raise UsageError(f"{file}: is a directory; give a log or traceback file (or use 'kbfix inspect {file}')")
        try:
            with open(path, "rb") as handle:
                excerpt = read_stream(handle, on_lines=watch and watch.feed)
        except OSError as exc:
            raise UsageError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        return check_text(excerpt), excerpt.truncated
    except InputError as exc:
        raise UsageError(str(exc)) from None


def _can_encode(stream, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _emit(report, args, *, stream=None) -> int:
    from kbfix import render
    from kbfix.model import Verdict

    stream = stream or sys.stdout
    if stream is None:
        raise UsageError("standard output is closed: there is nowhere to write the diagnosis")
    lang = args.lang
    if lang == "zh" and not args.json and not _can_encode(stream, "中文"):
        print(f"kbfix: this terminal's encoding ({stream.encoding}) cannot show Chinese; showing English "
              "(set PYTHONIOENCODING=utf-8 for Chinese)", file=sys.stderr)
        lang = "en"
    if args.json:
        data = render.report_json(report, lang)
        stream.write(json.dumps(data, ensure_ascii=not _can_encode(stream, "中文…│"), indent=2) + "\n")
    else:
        text = render.render_text(report, lang, color=_color(args.color, stream), verbose=getattr(args, "verbose", False))
        if not _can_encode(stream, text):
            text = text.encode(stream.encoding or "utf-8", errors="replace").decode(stream.encoding or "utf-8")
        stream.write(text)
    stream.flush()
    return EXIT_NO_MATCH if report.verdict == Verdict.NO_MATCH else EXIT_MATCH


def _findings(paths: list[str]):
    from kbfix.introspect import inspect_paths

    for path in paths:
        if not Path(path).exists():
            raise UsageError(f"{path}: no such file or directory")
    return tuple(inspect_paths([Path(p) for p in paths]))


def _require_models(args) -> None:
    """``--model`` / ``$KBFIX_MODEL`` need the ``models`` extra: say so by name (exit 2), not a traceback."""
    import importlib.util

    from kbfix.engine.encode import model_setting

    if model_setting(getattr(args, "model", None)) and importlib.util.find_spec("sentence_transformers") is None:
        raise UsageError("--model (or $KBFIX_MODEL) needs sentence-transformers, which is not installed: "
                         "pip install 'kbfix[models]'")


def _missing_extras(findings, code: int) -> int:
    """Exit 2 after the output when a check was skipped for an extra that is not installed."""
    extras = sorted({str(f.facts.get("extra")) for f in findings if f.kind == "extra-missing"})
    if not extras:
        return code
    names = ", ".join(f"kbfix[{e}]" for e in extras)
    print(f"kbfix: some checks were not run: they need {names}: pip install 'kbfix[{','.join(extras)}]'",
          file=sys.stderr)
    return EXIT_INPUT


def _diagnose(text: str | None, args, *, truncated: bool = False, findings=(), watch=None) -> int:
    import kbfix

    _require_models(args)
    report = kbfix.diagnose(text, findings=findings, top=args.top, model=getattr(args, "model", None),
                            truncated=truncated, redact=not getattr(args, "no_redact", False))
    code = _missing_extras(findings, _emit(report, args))
    if watch is not None:
        from kbfix.render import report_json

        watch.listener.finish(report_json(report, args.lang))
    return code


def _watch(args, *, loud: bool):
    """The early-warning watch: short lines on stderr when ``loud`` (the pipe), events to ``--events FILE``."""
    from kbfix.watch import Listener, Watch

    handle = None
    if getattr(args, "events", None):
        try:
            handle = open(args.events, "w", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.events}: cannot write events: {exc.strerror or exc}") from None
    return Watch(Listener(sys.stderr if loud else None, handle, args.lang))


# --- commands ---------------------------------------------------------------------------------

def cmd_pipe(args) -> int:
    """``cmd 2>&1 | kbfix``: pass the log through as it arrives, then diagnose it."""
    echo = sys.stderr.buffer if args.json else sys.stdout.buffer
    watch = _watch(args, loud=True)
    text, truncated = _read_input("-", echo=echo, watch=watch)
    if args.tui:
        return _run_tui(args, text)
    if not args.json:
        sys.stdout.write("\n" + "─" * 60 + "\n")
    return _diagnose(text, args, truncated=truncated, watch=watch)


def cmd_diagnose(args) -> int:
    watch = _watch(args, loud=False) if args.events else None
    text, truncated = _read_input(args.file, watch=watch)
    findings = _findings(args.inspect) if args.inspect else ()
    return _diagnose(text, args, truncated=truncated, findings=findings, watch=watch)


def cmd_inspect(args) -> int:
    return _diagnose(None, args, findings=_findings(args.paths))


def cmd_verify(args) -> int:
    from kbfix.introspect import verify

    _known_entry(args.entry_id)
    for path in args.paths:
        if not Path(path).exists():
            raise UsageError(f"{path}: no such file or directory")
    result = verify(args.entry_id, [Path(p) for p in args.paths])
    if args.json:
        from kbfix.render import finding_json

        print(json.dumps({"entry": args.entry_id, "outcome": str(result.outcome), "passed": result.passed,
                          "facts": result.facts, "findings": [finding_json(f) for f in result.findings]},
                         ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(_verify_text(result))
    code = {"passed": EXIT_MATCH, "failed": EXIT_NO_MATCH}.get(str(result.outcome), EXIT_UNCHECKED)
    return _missing_extras(result.findings, code)


_OUTCOME_WORDS = {"passed": "PASS", "failed": "FAIL", "unchecked": "COULD NOT CHECK"}
_FACT_TITLES = {"still_present": "still present", "cleared": "cleared", "errors": "not read or not checked",
                "checks": "checks", "reason": "reason"}


def _verify_text(result) -> str:
    """The verification as plain lines: lists as bullets, facts as ``name: value``, no Python reprs."""
    lines = [f"{result.entry_id}: {_OUTCOME_WORDS[str(result.outcome)]}"]
    for key, value in result.facts.items():
        if value in ([], {}, "", None):
            continue
        title = _FACT_TITLES.get(key, key.replace("_", " "))
        if isinstance(value, list):
            lines += [f"  {title}:"] + [f"    - {_words(item)}" for item in value]
        elif isinstance(value, dict):
            lines.append(f"  {title}:")
            for name, facts in value.items():
                lines.append(f"    {name}: {_words(facts)}")
        else:
            lines.append(f"  {title}: {_words(value)}")
    return "\n".join(lines) + "\n"


def _words(value: object) -> str:
    """Plain data as text: ``a, b`` for lists, ``key: value; ...`` for mappings, ``none`` for empty."""
    if value is None or value in ([], {}, ""):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_words(v)}" for k, v in value.items())
    return str(value)


def _known_entry(entry_id: str):
    from kbfix import corpus

    loaded = corpus.load_default()
    try:
        return loaded.get(entry_id)
    except KeyError:
        raise UsageError(f"unknown entry {entry_id!r}; 'kbfix corpus list' shows the ids") from None


def _fix_proven_by_reproducer(verified) -> bool:
    """Whether an entry's ``verified.json`` records a fix its reproducer showed working (on this machine or a GPU's)."""
    from collections.abc import Mapping

    fixes = verified.get("fixes", ()) if isinstance(verified, Mapping) else ()
    return any(isinstance(f, dict) and f.get("kind") == "reproducer" and f.get("passed") is True for f in fixes)


def cmd_corpus(args) -> int:
    from kbfix import corpus, render

    if args.corpus_command == "check":
        problems = corpus.check()
        if problems:
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s)", file=sys.stderr)
            return 1
        loaded = corpus.load_default()
        reproducers = sum((Path(e.path) / "reproduce.py").exists() for e in loaded.entries)
        proven = sum(_fix_proven_by_reproducer(e.verified) for e in loaded.entries)
        kinds = {k: sum(c.kind == k for c in loaded.cases) for k in ("match", "nomatch", "todo")}
        print(f"ok: {len(loaded.entries)} entries, {kinds['match']} match / {kinds['nomatch']} nomatch / "
              f"{kinds['todo']} todo cases, {reproducers} reproducers; {proven} entries "
              f"({proven / max(len(loaded.entries), 1):.1%}) have a fix that passed its reproducer (verified.json)")
        return 0
    loaded = corpus.load_default()
    if args.corpus_command == "list":
        if args.json:
            print(json.dumps([{"id": e.id, "title": e.title.get(args.lang), "tags": list(e.tags),
                               "reproducer": (Path(e.path) / "reproduce.py").exists()} for e in loaded.entries],
                             ensure_ascii=False, indent=2))
        else:
            width = max(len(e.id) for e in loaded.entries)
            for e in loaded.entries:
                print(f"{e.id.ljust(width)}  {e.title.get(args.lang)}")
        return 0
    entry = _known_entry(args.entry_id)
    if args.json:
        print(json.dumps(render.entry_json(entry, args.lang), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render.render_entry_text(entry, args.lang))
    return 0


def cmd_index(args) -> int:
    from kbfix.engine import build_engine
    from kbfix.engine.encode import model_setting

    def progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\rindexing [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    _require_models(args)
    engine = build_engine(None, model_setting(args.model), rebuild=True, progress=progress)
    sys.stderr.write("\n")
    dense = engine.dense
    print(f"index: {dense.count} documents, encoder {dense.encoder_id}, dim {dense.dim}")
    for note in engine.status():
        print(f"note: {note}", file=sys.stderr)
    return 0


def _run_tui(args, text: str | None = None, path: str | None = None) -> int:
    _require_models(args)
    try:
        from kbfix.tui.app import run_app
    except ImportError as exc:
        raise UsageError(f"the terminal UI is not available: {exc}") from None
    return run_app(text=text, path=path, lang=args.lang, model=getattr(args, "model", None))


def cmd_tui(args) -> int:
    if args.file and not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such file")
    return _run_tui(args, path=args.file)


def cmd_run(args) -> int:
    from kbfix.hook import run_script

    if not Path(args.script).is_file():
        raise UsageError(f"{args.script}: no such file")
    return run_script(args.script, args.args, lang=args.lang)


def cmd_serve(args) -> int:
    """``kbfix mcp`` / ``kbfix lsp``: the servers live in kbfix.editors and import their SDK only here."""
    from kbfix import editors

    if editors.missing(args.command):
        raise UsageError(editors.install_hint(args.command))
    if args.command == "mcp":
        from kbfix.editors.mcp_server import main as serve
    else:
        from kbfix.editors.lsp_server import main as serve
    return serve()


COMMANDS = {"diagnose": cmd_diagnose, "inspect": cmd_inspect, "verify": cmd_verify, "corpus": cmd_corpus,
            "index": cmd_index, "tui": cmd_tui, "run": cmd_run, "mcp": cmd_serve, "lsp": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)  # from here Ctrl-C is a KeyboardInterrupt
    try:
        parser = make_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        print("\nkbfix: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    if args.command == "diagnose" or (args.command is None and not args.tui and not sys.stdin.isatty()):
        _keep_compiled_patterns()  # the pipe and diagnose, not the terminal UI
    try:
        if args.command is None:
            if sys.stdin.isatty():
                return _run_tui(args) if not args.json else _usage(parser)
            return cmd_pipe(args)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"kbfix: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\nkbfix: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (| head): nothing more to say
        return EXIT_NO_MATCH
    except OSError as exc:
        if exc.errno is not None and exc.filename is None:  # writing the output failed: a full disk, a closed pipe
            _say(f"kbfix: cannot write the output: {exc.strerror or exc}")
            return EXIT_INPUT
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a kbfix traceback
        from kbfix.corpus import CorpusError
        from kbfix.engine.encode import EncoderError

        if isinstance(exc, (CorpusError, EncoderError)):
            print(f"kbfix: {exc}", file=sys.stderr)
            return EXIT_INPUT
        print(f"kbfix: internal error: {type(exc).__name__}: {exc}\n"
              "kbfix: please report it with the input that caused it (KBFIX_DEBUG=1 shows the traceback)", file=sys.stderr)
        if os.environ.get("KBFIX_DEBUG"):
            raise
        return EXIT_INPUT


def _say(message: str) -> None:
    """A last word on stderr, even when stderr itself is unusable: Python's stream first, else file
    descriptor 2 itself (a closed or missing ``sys.stderr``), else only the exit status speaks."""
    try:
        print(message, file=sys.stderr)
        return
    except (OSError, ValueError, AttributeError):
        data = (message + "\n").encode("utf-8", "replace")
    try:
        os.write(2, data)
    except OSError:
        return  # no stream left to say it on: the exit status speaks


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("kbfix: --json needs input: pipe a log in or use 'kbfix diagnose FILE --json'", file=sys.stderr)
    return EXIT_INPUT

"""Version skew: what an error says about releases, checked against the API history.

An error of version skew names a symbol, a keyword or a requirement (:data:`FORMS`): ``cannot import
name 'X' from 'L'``, ``No module named 'L.sub'``, ``module 'L' has no attribute 'Y'``, ``'Cls' object
has no attribute 'z'``, ``Cls.__init__() got an unexpected keyword argument 'k'``, ``f() takes N
positional arguments but M were given``, ``L>=X is required ... but found L==Y``, pip's ``A x requires
B<y, but you have B z``. :class:`VersionFacts` reads those forms in a log and, for each, finds the
library that owns the symbol (the message's module path, the frames, else ``apihistory.find_symbol``),
the releases that have it (:mod:`kbfix.apihistory`), the release the user has
(:mod:`kbfix.engine.installed`) and the library that made the call (the frame above the error). The
answer is a set of facts (:data:`FACTS`) that corpus signatures require with ``facts = [...]``, with
captures for the fix text (``library``, ``symbol``, ``installed``, ``upgrade`` and ``pin``: pip
requirements with the bound filled in) and statements that become Evidence of kind "version".

Nothing here runs until a signature that names one of these facts has matched an error's wording
(:class:`kbfix.engine.signatures.LogText`): a diagnosis that needs no version facts never imports the
API history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kbfix.model import Evidence, EvidenceKind, Text

FACTS = (
    "skew_form",                 # the error has a form this module reads (captures from it, whatever the history says)
    "symbol_removed",            # the name exists in earlier covered releases and not in later ones
    "symbol_not_yet_added",      # the name exists only in later releases than the user's
    "symbol_not_in_release",     # either of the two: the history bounds the releases that have it
    "symbol_moved",              # not in the named module in any covered release, but elsewhere in the same library
    "symbol_never_existed",      # in no covered release of the (covered) library, nor anywhere else
    "symbol_elsewhere",          # in no release of the named library, but in another covered library
    "symbol_misspelled",         # in no release, and a name of the same module differs only in case or a letter
    "attribute_across_libraries",  # a package reads an attribute another library's object lacks (the history
                                 # lists public names only: it cannot date private ones)
    "class_attribute_undated",   # a class attribute read on a covered library's class itself ("type object 'X' has
                                 # no attribute 'y'") that no covered release lists: removed before the history
                                 # starts, or a private one it cannot date
    "kwarg_not_accepted",        # the callable takes the keyword in other releases than the user's
    "kwarg_never_existed",       # no covered release of the callable takes the keyword
    "kwarg_invalid",             # ... and the user's own code passes it (a wrong argument, not a version)
    "kwargs_never_existed",      # two or more such keywords on one callable (code written for a fork)
    "config_saved_by_newer",     # a Config class refuses a keyword that later releases write into saved configs
    "override_out_of_step",      # an override (a subclass's method) lacks a parameter its base gained
    "positional_count_changed",  # the callable's positional parameters changed between releases
    "minimum_not_met",           # a version check names a range the installed release is outside
    "resolver_conflict",         # pip reports an installed release outside a dependent's requirement
    "model_type_added",          # AutoConfig's lookup of a model type that a later transformers release added
                                 # (its `transformers.models.<type>` package): captures the first release that has it
    "model_type_never_in_release",  # a model type no covered transformers release has, with the user's release not
                                 # known to be the newest: a project's or a model repo's own type, not an old release
    "tokenizer_class_added",     # AutoTokenizer's class (or its Fast twin) that a later transformers release added:
                                 # captures the first release that has it
    "tokenizer_class_never_in_release",  # a tokenizer class no covered transformers release exports, slow or fast, with
                                 # the user's release not known to be the newest: a model repository's own class
)
MAX_FORMS = 8
Q = r"""['"‘’`]"""
NAME = r"[A-Za-z_]\w*"
DOTTED = r"[A-Za-z_](?:[\w.]*\w)?"
SPEC = r"(?:[<>=!~]=?\s*[\w.*+\-]+)"

FORM_RES = (
    # the quotes Python prints are optional: a message retyped into a post often loses them
    ("import", re.compile(rf"[Cc]annot import name {Q}?(?P<name>{NAME}){Q}?(?:\s+from\s+(?P<partial>partially initialized module\s+)?"
                          rf"{Q}?(?P<module>{DOTTED}){Q}?)?")),
    # a report that retells the import in prose: "Fail to import `is_torch_greater_or_equal_than_1_13` since ..."
    ("import", re.compile(rf"\b(?:[Ff]ail(?:s|ed)?|[Uu]nable) to import {Q}(?P<name>{NAME}){Q}(?:\s+from\s+{Q}?(?P<module>{DOTTED}){Q}?)?")),
    ("module", re.compile(rf"No module named {Q}?(?P<module>{NAME}(?:\.{NAME})+){Q}?")),
    ("attribute", re.compile(rf"module {Q}(?P<module>{DOTTED}){Q} has no attribute {Q}(?P<name>{NAME}){Q}")),
    # jax's module __getattr__ for a deprecated or removed name (jax/_src/deprecations.py deprecation_getattr raises
    # AttributeError with the deprecation message itself: "jax.interpreters.xla.backend_specific_translations is
    # deprecated. Register ...", "jax.tree_map was removed in JAX v0.6.0 ...")
    ("attribute", re.compile(rf"AttributeError:\s*{Q}?(?P<module>{NAME}(?:\.{NAME})*)\.(?P<name>{NAME}){Q}? "
                             r"(?:is deprecated|was removed|has been removed)\b")),
    # the same message retold without the exception name: jax words it "jax.<name> was removed in JAX v0.6.0"
    ("attribute", re.compile(rf"(?<![\w.])(?P<module>jax(?:\.{NAME})*)\.(?P<name>{NAME}) was removed in (?:JAX )?v ?\d")),
    # (a title or a retyped message loses quotes: "NllbTokenizerFast' object has no attribute 'lang_code_to_id")
    ("object", re.compile(rf"(?:{Q}|^|(?<=\s))(?P<cls>[A-Z]\w*){Q}? object has no attribute {Q}?(?P<name>{NAME}){Q}?")),
    # the same read on the class itself (a class attribute: `TrainingArguments._VALID_DICT_FIELDS` in a subclass body)
    ("object", re.compile(rf"(?P<type_object>type) object {Q}(?P<cls>[A-Z]\w*){Q} has no attribute {Q}(?P<name>{NAME}){Q}")),
    ("kwarg", re.compile(rf"(?P<callable>{DOTTED}|{NAME})\(\) got an unexpected keyword argument {Q}?(?P<kwarg>{NAME}){Q}?")),
    ("positional", re.compile(rf"(?P<callable>{DOTTED}|{NAME})\(\) takes (?:from \d+ to )?(?P<takes>\d+) positional "
                              r"arguments? but (?P<given>\d+) (?:were|was) given")),
    ("missing", re.compile(rf"(?P<callable>{DOTTED}|{NAME})\(\) missing (?P<count>\d+) required positional arguments?: "
                           rf"(?P<names>{Q}{NAME}{Q}(?:(?:,| and) {Q}{NAME}{Q})*)")),
    ("requirement", re.compile(rf"(?P<requirement>(?P<package>[A-Za-z][\w.\-]*)\s*{SPEC}(?:\s*,\s*{SPEC})*) is required for a "
                               rf"normal functioning of this module,? but found (?P<found_package>[A-Za-z][\w.\-]*)==(?P<found>[\w.+\-]*\w)")),
    # "... requires transformers>=4.47.1" (LLaMA-Factory), "Unsloth: Gemma 3 only works on transformers >= 4.50.0."
    ("requirement", re.compile(rf"(?:requires|only works on) {Q}?(?P<requirement>(?!version\b)(?P<package>[A-Za-z][\w.\-]*)\s*{SPEC}(?:\s*,\s*{SPEC})*){Q}?"
                               r"(?![^\n]*, but)")),
    ("requirement", re.compile(r"upgrade (?P<package>torch) to at least v?(?P<minimum>\d+(?:\.\d+)+)")),
    # jax's own check of jaxlib (jax/_src/lib/__init__.py check_jaxlib_version; before 0.4 without ">=")
    ("requirement", re.compile(r"(?P<package>jaxlib) is version (?P<found>\d[\w.]*), but this version of jax requires "
                               r"version (?:>= ?)?(?P<minimum>\d+(?:\.\d+)+)")),
    ("requirement", re.compile(rf"To fix: (?:run )?`?pip install (?P<requirement>(?P<package>[A-Za-z][\w.\-]*)\s*{SPEC}"
                               rf"(?:\s*,\s*{SPEC})*)")),
    ("requirement", re.compile(rf"require_version(?:_core)?\(\s*{Q}(?P<requirement>(?P<package>[A-Za-z][\w.\-]*)\s*{SPEC}"
                               rf"(?:\s*,\s*{SPEC})*){Q}")),
    ("resolver", re.compile(r"(?P<dependent>[A-Za-z][\w.\-]*) (?P<dependent_version>\d[\w.+\-]*) (?:requires|has requirement) "
                            r"(?P<requirement>(?P<package>[A-Za-z][\w.\-]*)(?:\[[\w,]+\])?\s*[<>=!~][^\n]*?),? but"
                            r"(?: you have [A-Za-z][\w.\-]*(?: (?P<have>\d[\w.+\-]*\w))?)?")),
    # AutoConfig's lookup of a config's model type: 4.3x-5.x's ValueError, and the bare KeyError of CONFIG_MAPPING
    # (its __getitem__ in configuration_auto.py, or the lookup line itself) that earlier releases and cut pastes show
    ("model_type", re.compile(r"has model type `(?P<model_type>[\w.\-]+)` but Transformers does not recognize")),
    ("model_type", re.compile(r"(?:CONFIG_MAPPING\[config_dict\[[\"']model_type[\"']\]\]|configuration_auto\.py\"?, line \d+, in "
                              r"__getitem__)[^\n]*\n(?:[^\n]*\n){0,6}?[^\n]*KeyError: [\"'](?P<model_type>[\w.\-]+)[\"']")),
    # AutoTokenizer's class named by tokenizer_config.json (tokenization_auto.py: "Tokenizer class {candidate} does not
    # exist or is not currently imported.", 4.x and 5.x)
    ("tokenizer_class", re.compile(r"Tokenizer class (?P<tokenizer_class>[A-Za-z_]\w*) does not exist or is not currently imported")),
    ("resolver", re.compile(r"The user requested (?P<package>[A-Za-z][\w.\-]*)==(?P<have>\d[\w.+\-]*\w)\s*\n\s*"
                            r"(?P<dependent>[A-Za-z][\w.\-]*) (?P<dependent_version>\d[\w.+\-]*) depends on (?P<requirement>[^\n]+)")),
)
PREFILTER = ("annot import name", "to import", "No module named", "has no attribute", "is deprecated", "was removed",
             "has been removed", "unexpected keyword argument",
             "positional argument", "required positional", "is required for", "requires", "only works on", "at least v",
             "depends on",
             "require_version", "has requirement", "To fix:", "has model type", "CONFIG_MAPPING", "configuration_auto",
             "does not exist or is not currently imported")
# --- forms --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Form:
    """One error form found in the log: its kind and the groups the pattern captured."""

    kind: str
    line: int
    groups: tuple[tuple[str, str], ...]
    span: tuple[int, int] = (0, 0)

    def get(self, name: str) -> str:
        return dict(self.groups).get(name) or ""


def forms(text: str) -> list[Form]:
    """Every version-skew form in ``text``, in order, each distinct one once (at most MAX_FORMS)."""
    if not any(word in text for word in PREFILTER):
        return []
    found: list[Form] = []
    seen: set[tuple] = set()
    for kind, pattern in FORM_RES:
        for m in pattern.finditer(text):
            groups = tuple((k, _ascii_tail(v) if k == "callable" else v) for k, v in m.groupdict().items() if v)
            key = (kind, groups if kind != "resolver" else tuple(g for g in groups if g[0] != "requirement"))
            if kind == "import" and m.groupdict().get("partial"):
                continue  # a circular import or a local file shadowing the package: no version says anything
            if key in seen:
                continue
            seen.add(key)
            found.append(Form(kind, text.count("\n", 0, m.start()), groups, m.span()))
    found.sort(key=lambda f: f.span[0])
    return found[:MAX_FORMS]


def _ascii_tail(name: str) -> str:
    """A callable as Python code names it: a word of prose run into it (Chinese text has no spaces:
    ``报DPOTrainer.get_batch_logps``) is dropped."""
    m = re.search(r"[A-Za-z_][A-Za-z0-9_.]*$", name)
    return m.group(0) if m else name


# --- reading one form against the history -----------------------------------------------------------

@dataclass
class Reading:
    """What one form says, checked against the API history: facts, captures, statements."""

    form: Form
    facts: set[str] = field(default_factory=set)
    captures: dict[str, str] = field(default_factory=dict)
    says: list[Text] = field(default_factory=list)

    def hold(self, *names: str) -> None:
        self.facts.update(names)

    def say(self, en: str, zh: str) -> None:
        self.says.append(Text(en, zh))



# --- the facts of one log ---------------------------------------------------------------------------

class VersionFacts:
    """The version facts of one log, computed on first need (``holds``/``found``), like
    :class:`kbfix.engine.keys.Facts`; ``evidence`` states them with their sources."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def readings(self) -> list[Reading]:
        found = forms(self.text)
        if not found:
            return []
        from kbfix.engine.skew_read import Analysis  # the API history loads from here on

        analysis = Analysis(self.text)
        return [analysis.read(form) for form in found]

    @cached_property
    def found(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for reading in self.readings:
            for name in reading.facts:
                out.setdefault(name, {k: v for k, v in reading.captures.items() if v})
        return out

    def holds(self, name: str) -> bool:
        return name in self.found

    def reading_for(self, names: tuple[str, ...]) -> Reading | None:
        for name in names:
            for reading in self.readings:
                if name in reading.facts:
                    return reading
        return self.readings[0] if self.readings else None

    def evidence(self, names: tuple[str, ...]) -> tuple[Evidence, ...]:
        """One Evidence of kind "version" stating what the history says of the error, with its sources."""
        reading = self.reading_for(names)
        if reading is None or not reading.says:
            return ()
        held = sorted(reading.facts - {"skew_form"})
        tail = Text(f" (facts: {', '.join(held)})" if held else "", f"（事实：{', '.join(held)}）" if held else "")
        return (Evidence(EvidenceKind.VERSION,
                         Text("; ".join(s.en for s in reading.says) + tail.en, "；".join(s.zh for s in reading.says) + tail.zh),
                         (reading.form.line,), (), {k: v for k, v in reading.captures.items() if v}, 0.0),)

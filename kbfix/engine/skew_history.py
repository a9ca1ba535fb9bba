"""Questions kbfix's version facts ask of the API history (:mod:`kbfix.apihistory`): the covered
releases as pip bounds, where else a name lives, who imports it, a method's positional parameters.

Imported only when a version fact is needed (:mod:`kbfix.engine.skew_read`); answers are cached per
process, like the history itself.
"""

from __future__ import annotations

import re
from functools import lru_cache


def api():
    from kbfix import apihistory

    return apihistory


def coverage(lib: str) -> str:
    ah = api()
    releases = ah.releases(lib)
    return str(ah.VersionSet(ah._library(lib) or lib, releases, frozenset(range(len(releases)))))


def vkey(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def policy(lib: str) -> str:
    ah = api()
    name = ah._library(lib)
    return ah.manifest()["libraries"].get(name, {}).get("policy", "all") if name else "all"


def short(lib: str, version: str) -> str:
    """A release as a bound: the minor series where the history covers one release per series (4.50;
    a "minor" library, or the older releases before a library's window), else the release without a
    trailing .0 (0.26)."""
    key = vkey(version)
    if key is None:
        return version
    if policy(lib) == "minor" or _first_of_series(lib, key) or _alone_in_series(lib, key):
        return ".".join(str(p) for p in key.release[:2])
    parts = list(key.release)
    while len(parts) > 2 and parts[-1] == 0:
        parts.pop()
    suffix = "" if key.pre is None and key.dev is None else str(version)[len(str(key.base_version)):]
    return ".".join(str(p) for p in parts) + suffix


def _first_of_series(lib: str, key) -> bool:
    """Whether ``key`` is the first covered release of its minor series (its .0 was yanked or never
    published): the series as a whole is the bound then (4.46, not 4.46.1)."""
    series = key.release[:2]
    earlier = [v for v in (vkey(r) for r in api().releases(lib)) if v is not None and v.release[:2] == series and v < key]
    return len(key.release) > 2 and key.release[2] > 0 and not earlier


def _alone_in_series(lib: str, key) -> bool:
    from kbfix.versionset import series_sizes

    return series_sizes(api().releases(lib)).get(tuple(key.release[:2]), 0) == 1


def pip_name(lib: str) -> str:
    return api()._library(lib) or lib


def range_spec(have, lib: str, *, lower: bool = True) -> str:
    """The pip specifier for the covered releases that have a fact: ``>=first`` when it was added after
    the first covered release (unless ``lower`` is False: a user past the range only needs to go back),
    ``<first release without it`` when it is gone at the last."""
    releases = have.releases
    parts = []
    first, last = min(have.indices), max(have.indices)
    if first > 0 and lower:
        parts.append(">=" + short(lib, releases[first]))
    if last < len(releases) - 1:
        after = next((i for i in range(last + 1, len(releases)) if i not in have.indices), last + 1)
        parts.append("<" + short(lib, releases[after]))
    return ",".join(parts)


def release_index(lib: str, have, version: str) -> int | None:
    """The covered release that stands for ``version``: itself, else the covered release of its minor
    series (the nearest at or below, else above: a series covered by its last patch, a yanked .0);
    else the last covered release before it, None before all."""
    if version in have.releases:
        return have.releases.index(version)
    key = vkey(version)
    if key is not None and (key.is_devrelease or key.is_prerelease) and key.base_version in have.releases:
        return have.releases.index(key.base_version)  # 0.13.0.dev0 is the code that became 0.13.0
    index = have.resolve(version)
    if index is not None or key is None:
        return index
    before = [i for i, v in enumerate(have.releases) if vkey(v) is not None and vkey(v) < key]
    return before[-1] if before else None


@lru_cache(maxsize=256)
def methods(lib: str, module: str, method: str) -> tuple[str, ...]:
    history = api()._history(lib)
    if history is None:
        return ()
    return tuple(p for p in history.funcs(module) if p.endswith("." + method))


@lru_cache(maxsize=64)
def method_owners(lib: str, method: str) -> tuple[dict[str, frozenset[int]], dict[str, frozenset[int]]]:
    """Every ``module.Class.method`` of the library that defines ``method`` -> the releases it is defined in, and
    each of those classes (``module.Class``) -> the releases in which it defines any method. Only the modules
    whose raw line names the method are parsed."""
    history = api()._history(lib)
    if history is None:
        return {}, {}
    owners: dict[str, frozenset[int]] = {}
    classes: dict[str, frozenset[int]] = {}
    for module, line in history._funcs.items():
        if "." + method not in line:
            continue
        for path, variants in history.funcs(module).items():
            if "." not in path:
                continue
            indices = frozenset().union(*(i for _, i in variants))
            cls = f"{module}.{path.rsplit('.', 1)[0]}"
            classes[cls] = classes.get(cls, frozenset()) | indices
            if path.endswith("." + method):
                owners[f"{module}.{path}"] = indices
    return owners, classes


BASE_CLASS_RE = re.compile(r"Mixin$|^Base|Base$|^PreTrained|^Abstract")  # a class named as a base of many others


def inherited_from(lib: str, owner: str, method: str, gone: int) -> str | None:
    """The method of another class that starts in release ``gone``, the release where ``owner``'s own ``method``
    stops, on a class the library had before: the method moved up to a base class there (PEFT 0.18's
    ``BaseTuner.merge_and_unload`` for every tuner's), and the history, which records the methods a class defines
    itself, not those it inherits, would call it removed. None when no older class took it over in that release
    (a class new in that release, or a module split into a package, is a move, not a base), unless the new class is
    named as a base (transformers 4.54's ``EmbeddingAccessMixin.get_input_embeddings`` for every model's own)."""
    owners, classes = method_owners(lib, method)
    took = [path for path, indices in owners.items()
            if (cls := path.rsplit(".", 1)[0]).rsplit(".", 1)[-1] != owner and gone in indices
            and gone - 1 not in indices
            and (gone - 1 in classes.get(cls, frozenset()) or BASE_CLASS_RE.search(cls.rsplit(".", 1)[-1]))]
    # of several, a class named as a base ("BaseTuner", "GenerationMixin") first
    return min(took, key=lambda p: (not BASE_CLASS_RE.search(p.rsplit(".", 2)[-2]), p), default=None)


def base_definitions(lib: str, method: str) -> tuple[frozenset[int], tuple[str, ...]]:
    """The releases in which a class of the library named as a base (``ModuleUtilsMixin``, ``PreTrainedModel``,
    ``PreTrainedTokenizerBase``, ``BaseTuner``) defines ``method``, and those classes' methods: where a class that
    does not define the method itself (``BertModel.get_head_mask``) gets it from. Empty when none does, and for a
    one-word name or a property: ``weight`` is a property of vLLM's LoRA base layer, no base of its linear layers."""
    if "_" not in method.strip("_"):
        return frozenset(), ()  # a one-word name (weight, forward, device) is on too many unrelated classes
    ah = api()
    owners, _ = method_owners(lib, method)
    found = {}
    for path, indices in owners.items():
        module, cls, name = path.rsplit(".", 2)
        if not BASE_CLASS_RE.search(cls):
            continue
        sig = ah.signature(lib, f"{module}:{cls}.{name}", ah.releases(lib)[max(indices)])
        if sig is not None and len(sig.names) > 1:  # a method that takes arguments, not a property read as one
            found[path] = indices
    return frozenset().union(*found.values()) if found else frozenset(), tuple(sorted(found))


# Keywords a library's decorator accepted for a parameter it renamed, which the history (a def's own parameters)
# does not show: huggingface_hub's @validate_hf_hub_args turned use_auth_token= into the token= of the function it
# wraps (utils/_validators.py, smoothly_deprecate_use_auth_token) from 0.11.0 until 1.0.0 removed that.
DECORATOR_KEYWORDS = {("huggingface_hub", "use_auth_token"): ("token", "0.11.0", "1.0.0")}


def keyword_releases(lib: str, qualname: str, kwarg: str):
    """The releases in which the function takes ``kwarg``: its own parameter, or one a decorator of the library
    accepts for it (:data:`DECORATOR_KEYWORDS`)."""
    ah = api()
    have = ah.param_releases(lib, qualname, kwarg)
    rule = DECORATOR_KEYWORDS.get((lib, kwarg))
    if rule is None:
        return have
    renamed, since, until = rule
    takes = ah.param_releases(lib, qualname, renamed)
    low, high = vkey(since), vkey(until)
    extra = {i for i in takes.indices if (key := vkey(takes.releases[i])) is not None and low <= key < high}
    return type(have)(have.library, have.releases, have.indices | extra) if extra else have


def with_positional(lib: str, qualname: str, exists, count: int):
    """The releases in which the callable takes ``count`` positional arguments (``self`` included)."""
    ah = api()
    indices = set()
    for index in exists.indices:
        sig = ah.signature(lib, qualname, exists.releases[index])
        if sig is None:
            continue
        required = len(sig.required_positional)
        if sig.varargs and count >= required or required <= count <= len(sig.positional):
            indices.add(index)
    return ah.VersionSet(exists.library, exists.releases, frozenset(indices))


@lru_cache(maxsize=256)
def modules_named(lib: str, name: str) -> tuple[str, ...]:
    history = api()._history(lib)
    if history is None:
        return ()
    return tuple(m for m in history._modules if m.endswith("." + name))


# a sub-config's model type is its model's package with one of these words after it (gemma3_text, clip_vision_model,
# qwen2_audio_encoder, data2vec-audio): the history has the package, not the type
SUB_CONFIG_WORDS = frozenset({"text", "vision", "audio", "model", "encoder", "decoder", "qformer", "thinker", "talker",
                              "speech", "video", "image"})


@lru_cache(maxsize=1)
def _model_packages() -> dict[str, tuple[str, ...]]:
    """transformers' model packages by name, underscores dropped: ``transformers.models.<name>`` (4.0 on), its
    ``deprecated`` ones and the flat ``transformers.configuration_<name>`` modules of 3.x."""
    history = api()._history("transformers")
    out: dict[str, list[str]] = {}
    for module in history._modules if history is not None else ():
        parts = module.split(".")
        if len(parts) == 3 and parts[1] == "models" and parts[2] != "deprecated":
            name = parts[2]
        elif len(parts) == 4 and parts[1:3] == ["models", "deprecated"]:
            name = parts[3]
        elif len(parts) == 2 and parts[1].startswith("configuration_") and parts[1] != "configuration_utils":
            name = parts[1][len("configuration_"):]
        else:
            continue
        out.setdefault(name.replace("_", ""), []).append(module)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=256)
def model_type_releases(model_type: str):
    """The transformers releases whose model package stands for ``model_type`` (a VersionSet; empty: no covered
    release has one), or None when the history cannot tell: only a package whose name begins the type's at a word
    boundary (``llava`` for LLaVA's own ``llava_llama``, or a sub-config it does not know)."""
    packages = _model_packages()
    if not packages:
        return None
    words = model_type.lower().replace("-", "_").split("_")
    parts = words
    while parts:
        modules = packages.get("".join(parts))
        if modules:
            have = api().module_releases("transformers", modules[0])
            for module in modules[1:]:
                have = have | api().module_releases("transformers", module)
            return have
        if len(parts) == 1 or parts[-1] not in SUB_CONFIG_WORDS:
            break
        parts = parts[:-1]
    if any("".join(words[:i]) in packages for i in range(1, len(words))):
        return None
    ah = api()
    return ah.VersionSet("transformers", ah.releases("transformers"), frozenset())  # no covered release has it


def is_module(lib: str, module: str) -> bool:
    history = api()._history(lib)
    return history is not None and history.known_module(module)


@lru_cache(maxsize=256)
def near_name(lib: str, module: str, name: str) -> str | None:
    """A name of ``module`` that differs from ``name`` only in case or by one letter (a typo)."""
    history = api()._history(lib)
    if history is None or len(name) < 4:
        return None
    names = history.symbols(module)
    lower = name.lower()
    for other in names:
        if other.lower() == lower:
            return other
    for other in names:
        if abs(len(other) - len(name)) <= 1 and len(other) >= 5 and one_edit(other.lower(), lower):
            return other
    return None


def one_edit(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) == 1 or swapped
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@lru_cache(maxsize=512)
def importers(lib: str, module: str, name: str | None) -> dict:
    """Covered library -> the releases of it that use ``name`` of ``module`` of ``lib``: import it, or read it as
    an attribute of the imported module (any name of the module when ``name`` is None)."""
    ah = api()
    out = {}
    for other in ah.libraries():
        if other == lib:
            continue
        history = ah._history(other)
        indices = set()
        for mod, imported, releases in history.imports(lib):
            if mod == module and (name is None or imported == name):
                indices |= releases
        if indices:
            out[other] = ah.VersionSet(history.name, history.releases, frozenset(indices))
    return out

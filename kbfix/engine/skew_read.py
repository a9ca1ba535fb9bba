"""Reading one version-skew form against the API history: the owner of the symbol, the releases that
have it, the user's release, the caller, and the pip bounds for the fix (:class:`Analysis`).

Used by :class:`kbfix.engine.skew.VersionFacts` on first need; imports the API history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbfix.engine import installed as installed_mod
from kbfix.engine.skew import DOTTED, NAME, Q, Form, Reading, forms
from kbfix.engine.skew_history import (api, base_definitions, coverage, importers, inherited_from, keyword_releases,
                                       release_index, is_module, methods,
                                       model_type_releases, modules_named, near_name, pip_name, range_spec, short, vkey,
                                       with_positional)
from kbfix.model import Text

# a frame line: File "path", line N, in f / IPython's path:N / a notebook link [path](...)
FRAME_RE = re.compile(r"""(?:File\s+"?|^\s*|\[)(?P<path>(?:[A-Za-z]:)?[^\s"\[\]()]*?\.pyx?)"""
                      r"""(?:"?,\s+line\s+\d+(?:,\s+in\s+(?P<func>[\w<>.]+))?|:\d+|\]|\s+in\s+)""")
SITE_RE = re.compile(r"[/\\](?:site|dist)-packages[/\\](?P<pkg>[A-Za-z_]\w*)")
# a package's own source tree (an editable install, a cut path): the package is the first folder, or the one under src/
SRC_RE = re.compile(r"(?:^(?:[/\\]|~[/\\]|\.\.\.[/\\])?|[/\\]src[/\\])(?P<pkg>transformers|peft|trl|accelerate|deepspeed|datasets|"
                    r"diffusers|vllm|huggingface_hub|tokenizers|llamafactory|swift|unsloth|unsloth_zoo|flax|jax|optax|"
                    r"sentence_transformers|sglang|llmcompressor|axolotl|xtuner|liger_kernel|timm|open_clip|lightning|"
                    r"pytorch_lightning)[/\\]")
# frames of decorators and wrappers: the call is made by the frame above them
WRAPPER_RE = re.compile(r"deprecat|decorator|functools|wrapt[/\\]|_validators\.py|contextlib")
# names too common to say where a removed name went ("log", "api", "utils")
# words too common to say where a name moved: many packages of a library have a part of that name (a "vision"
# module of one model is not where another model's went)
GENERIC_NAMES = frozenset({"api", "log", "utils", "core", "common", "base", "models", "model", "config", "main", "version",
                           "types", "util", "helpers", "data", "ops", "nn", "lib", "io", "tools", "cli", "modules",
                           "vision", "text", "audio", "image", "video", "speech", "layers", "layer", "modeling",
                           "configuration", "processing", "tokenization", "attention", "encoder", "decoder", "loss",
                           "losses", "functional", "metrics", "callbacks", "convert", "export", "pipeline", "schedulers"})
# a saved config being read: transformers / PEFT loaders, accelerate's launcher reading its default_config.yaml
CONFIG_LOAD_RE = re.compile(r"from_pretrained|from_json_file|load_adapter|from_peft_type|_get_peft_config|adapter_config"
                            r"|from_yaml_file|load_config_from_file|default_config\.yaml")
# a training run started from a script or a trainer's command line: a Config keyword it passes comes from its own code
# (a library's trainer module, transformers' trainer.py or TRL's sft_trainer.py, is no script of the user's)
TRAINING_RUN_RE = re.compile(r"(?:^|[\s/\\`'\"])(?!\w*trainer\.py\b)(?:train|finetune|fine_tune|sft)\w*\.py\b"
                             r"|accelerate launch|llamafactory-cli train"
                             r"|swift (?:sft|pt|rlhf)\b", re.MULTILINE)


def _frames_before(text: str, line: int, depth: int = 12) -> list[tuple[str, str | None, str]]:
    """(path, package, function) of the frames in the ``depth`` lines above ``line``, nearest first."""
    lines = text.split("\n")
    out = []
    for i in range(line, max(-1, line - depth), -1):
        if i >= len(lines):
            continue
        m = FRAME_RE.search(lines[i])
        if m and not WRAPPER_RE.search(m.group("path")):
            path = m.group("path")
            pkg = SITE_RE.search(path) or SRC_RE.search(path)
            out.append((path, pkg.group("pkg") if pkg else _package_in(path), m.group("func") or ""))
    return out


def _package_in(path: str) -> str | None:
    """A covered package's folder inside a path that is not site-packages (``~/.local/swift/trainers/x.py``):
    only when what follows it is a module of that package (``verl/models/transformers/patch.py`` is not)."""
    parts = re.split(r"[/\\]", re.sub(r"\.pyx?$", "", path))
    ah = api()
    for i, part in enumerate(parts[:-1]):
        lib = ah.library_of(part)
        if lib and part in ("swift", "trl", "peft", "transformers", "accelerate", "deepspeed", "llamafactory", "unsloth",
                            "unsloth_zoo", "vllm", "datasets", "huggingface_hub", "flax", "jax", "optax", "diffusers",
                            "sglang", "llmcompressor", "axolotl", "xtuner", "liger_kernel", "timm", "open_clip",
                            "pytorch_lightning") \
                and is_module(lib, ".".join(parts[i:])):
            return part
    return None


@dataclass(frozen=True)
class Caller:
    """Who made the call: a package (``library``, its pip name when covered) or the user's code."""

    library: str | None
    path: str
    package: str = ""  # the folder name in site-packages
    func: str = ""

    def says(self) -> Text:
        if self.library and not self.path:
            return Text(f"the caller is {self.library} (named in the paste, and its releases use it)",
                        f"调用方是 {self.library}（粘贴内容中提到它，且它的版本使用了这个名字）")
        if self.library:
            return Text(f"the call is made by {self.library} ({self.path})", f"调用方是 {self.library}（{self.path}）")
        if self.path:
            return Text(f"the call is made by your code ({self.path})", f"调用方是你的代码（{self.path}）")
        return Text("the paste shows no frame of the caller", "粘贴内容中没有调用方的栈帧")


def _failing_line(text: str, form: Form) -> str:
    """The source line a traceback shows just above the message (the failing expression), or ""."""
    lines = text.split("\n")
    for i in range(form.line - 1, max(-1, form.line - 4), -1):
        line = lines[i].strip() if 0 <= i < len(lines) else ""
        if not line or set(line) <= set("^~ "):
            continue  # a blank line, or the carets under the failing expression
        return "" if FRAME_RE.search(line) else line
    return ""


# a class called in a line of code: ``AsyncEngineArgs(`` (not ``AsyncLLMEngine.from_engine_args(``)
# packages whose model classes re-implement models under the names their own (remote) code gives them
# (vLLM's InternVLChatModel, ChatGLMModel, QWenLMHeadModel ...): such a name means that package's class only where
# the paste speaks of the package; in a fine-tuning paste it is the model's own class
REIMPLEMENTED_MODELS = ("vllm.model_executor.models.",)
CLASS_CALL_RE = re.compile(r"(?<![\w.])([A-Z]\w*)\s*\(")


def _keywords_from_data(text: str, form: Form, kwarg: str) -> bool:
    """Whether the failing call passes its keywords from a mapping (``config_cls(**kwargs)``: a saved
    config) rather than naming ``kwarg`` itself, as a library calling a method it expects overridden does."""
    line = _failing_line(text, form)
    return bool(line) and "**" in line and not re.search(rf"\b{re.escape(kwarg)}\s*=", line)


# Frames that forward an attribute read to another object: the code that asked sits above them.
PASSTHROUGH = frozenset({"__getattr__", "__getattribute__"})


def _caller(text: str, form: Form, callee: str | None) -> Caller:
    frames = _frames_before(text, form.line)
    for path, pkg, func in frames:
        if pkg and callee and (api().library_of(pkg) or pkg) == callee:
            continue  # inside the callee itself (its own __init__ re-exporting)
        if func in PASSTHROUGH:
            continue  # a generic attribute lookup (nn.Module, a PEFT wrapper) only passes the read on
        if pkg:
            return Caller(api().library_of(pkg) or pkg, path, pkg, func)
        return Caller(None, path)
    return Caller(None, "")


def _forwards_keywords(lib: str, caller: Caller, kwarg: str) -> bool:
    """Whether the library's calling function takes ``**kwargs`` and not ``kwarg`` by name (vLLM's
    ``LLM.__init__`` hands what it is given on to ``EngineArgs``): the keyword came from further up, a
    package written for another release, not from the library calling a method it expects overridden."""
    if not caller.func or not caller.package:
        return False
    ah = api()
    module = _module_of(caller.path, caller.package)
    latest = ah.releases(lib)[-1]
    for path in methods(lib, module, caller.func) or ((caller.func,) if "." not in caller.func else ()):
        sig = ah.signature(lib, f"{module}:{path}", latest)
        if sig is not None and sig.varkw and kwarg not in sig.names:
            return True
    return False


class Analysis:
    """Reads the forms of one log against the history (one per log; histories are cached process-wide)."""

    def __init__(self, text: str):
        self.text = text
        self._installed: dict[str, installed_mod.Installed] = {}

    def installed(self, lib: str) -> installed_mod.Installed:
        if lib not in self._installed:
            self._installed[lib] = installed_mod.read(self.text, pip_name(lib))
        return self._installed[lib]

    def read(self, form: Form) -> Reading:
        reading = Reading(form)
        if form.kind not in ("model_type", "tokenizer_class"):  # a model repository's own name is as likely as a skew
            reading.hold("skew_form")
        handler = getattr(self, "_" + form.kind)
        handler(reading)
        return reading

    # -- where a user's release lies ---------------------------------------------------------------
    def _user_release(self, lib: str, have) -> tuple[installed_mod.Installed, int | None]:
        """The user's release and its index in the history; a release read from this environment is
        used only when it agrees with the error (it lacks what the error says is missing)."""
        mine = self.installed(lib)
        if mine.version is None:
            return mine, None
        index = release_index(lib, have, mine.version)
        if mine.source == "environment" and index is not None and index in have.indices:
            return installed_mod.Installed(mine.library, None, "elsewhere"), None
        return mine, index

    def _direction(self, lib: str, have, mine: installed_mod.Installed, index: int | None) -> str | None:
        """'removed' (the user's release is past the last that has it), 'not_yet' (before the first),
        or None when the user's release has it (the history disagrees with the error)."""
        releases = have.releases
        first, last = min(have.indices), max(have.indices)
        if mine.version is not None:
            key, low, high = vkey(mine.version), vkey(releases[first]), vkey(releases[last])
            if _patch_gap(have, mine, index):  # a patch before the covered one of its series, which has it:
                return "not_yet" if index == first else "removed"  # added in a later patch, or dropped and restored
            if index is not None and index in have.indices:
                # the paste names a release that has it: the failing process may run another installation
                # (a training and a serving environment); only a one-sided history still says which way
                if last < len(releases) - 1 and first == 0:
                    return "removed"
                if first > 0 and last == len(releases) - 1:
                    return "not_yet"
                return None
            if key is not None and low is not None and key < low:
                return "not_yet"
            if key is not None and high is not None and key > high:
                return "removed"
            if index is not None:
                return "removed" if index > first else "not_yet"  # past the first: removed, for good or for a while
        if last < len(releases) - 1:
            return "removed"
        return "not_yet"  # in the latest release: the user's is older (older than the history when first == 0)

    def _bounds(self, reading: Reading, lib: str, have, direction: str, caller: Caller) -> None:
        """Captures ``upgrade`` (safe: move the package that is behind forward) and ``pin`` (unsafe: hold the
        package that moved ahead back), from the releases that have ``what`` and the caller."""
        spec = range_spec(have, lib)
        pip_lib = pip_name(lib)
        reading.captures["range"] = f"{pip_lib}{spec}" if spec else pip_lib
        mine, index = self._user_release(lib, have)
        patch = _patch_gap(have, mine, index)
        if patch:  # the user's patch lacks it, the covered later patch of the series has it: exact releases
            reading.captures["upgrade"] = f"{pip_lib}>={patch[1]}" + _until(have, have.releases.index(patch[1]))
            if direction == "removed":
                reading.captures["pin"] = f"{pip_lib}<{patch[0]}"
            elif caller.library:
                reading.captures["pin"] = self._caller_pin(reading, lib, caller) or caller.library
            return
        if direction == "not_yet":
            reading.captures["upgrade"] = f"{pip_lib}{spec}" if spec else f"{pip_lib}>={short(lib, have.releases[min(have.indices)])}"
            if caller.library:
                reading.captures["pin"] = self._caller_pin(reading, lib, caller) or caller.library
        else:
            gap = _gap(have, index)
            if gap:  # removed, then restored: the release that has it again, or one before the removal
                reading.captures["upgrade"] = f"{pip_lib}>={short(lib, gap[1])}"
                reading.captures["pin"] = f"{pip_lib}<{short(lib, gap[0])}"
                return
            # a user known to be past the range only needs to go back; with the release unknown the whole
            # range is the safe answer (the user may as well be before it)
            back = range_spec(have, lib, lower=not self.installed(lib).from_paste)
            reading.captures["pin"] = f"{pip_lib}{back}" if back else pip_lib
            if caller.library:
                reading.captures["upgrade"] = self._caller_upgrade(reading, lib, caller) or caller.library

    def _caller_pin(self, reading: Reading, lib: str, caller: Caller) -> str | None:
        kwarg = reading.captures.get("kwarg")
        if kwarg:
            return self._caller_pin_kwarg(reading, caller, kwarg)
        uses = self._uses(reading, lib, caller)
        if uses is None or not uses:
            return None
        first = min(uses.indices)
        if first == 0 or self._use_elsewhere(reading, caller, uses):
            return None
        reading.say(f"{caller.library} uses it from {uses.releases[first]} on ({uses})",
                    f"{caller.library} 从 {uses.releases[first]} 起使用它（{uses}）")
        return f"{caller.library}<{short(caller.library, uses.releases[first])}"

    def _use_elsewhere(self, reading: Reading, caller: Caller, uses) -> bool:
        """The paste shows a release of the caller outside the releases that use the name (past its last use, or
        before its first): the use comes from somewhere else (a dependency of the caller, the user's code), so a
        bound on the caller proves nothing. Says so."""
        have = self.installed(caller.library)
        index = uses.resolve(have.version) if have.from_paste and have.version else None
        if index is None or min(uses.indices) <= index <= max(uses.indices):
            return False
        reading.say(f"{caller.library} uses it in {uses}, but the paste shows {caller.library} {have.version}: "
                    f"the use comes from elsewhere",
                    f"{caller.library} 使用它的版本是 {uses}，但粘贴内容显示 {caller.library} {have.version}：用到它的是别处")
        return True

    def _caller_pin_kwarg(self, reading: Reading, caller: Caller, kwarg: str) -> str | None:
        """A caller that passes ``kwarg`` on from its own parameter of that name (``GRPOTrainer(processing_class=...)``
        -> ``Trainer.__init__(processing_class=...)``) passes it from the first release whose function has it."""
        ah = api()
        if not caller.package or not ah.covered(caller.library):
            return None
        module = _module_of(caller.path, caller.package)
        for path in methods(caller.library, module, caller.func or "__init__"):
            have = ah.param_releases(caller.library, f"{module}:{path}", kwarg)
            since = have.run_start(self.installed(caller.library).version) if have else None
            if since is not None and since != have.releases[0]:
                reading.say(f"{caller.library} passes {kwarg} from {since} on ({module}.{path} takes it in {have})",
                            f"{caller.library} 从 {since} 起传入 {kwarg}（{module}.{path} 接受它的版本：{have}）")
                return f"{pip_name(caller.library)}<{short(caller.library, since)}"
        return None

    def _uses(self, reading: Reading, lib: str, caller: Caller):
        """The releases of the calling library that use the missing name (import it, or read it as an attribute of
        the module: ``jnp.DeviceArray``), or any name of the missing module."""
        module, name = reading.captures.get("module", ""), reading.captures.get("name", "")
        if reading.form.kind == "module":
            module, name = f"{module}.{name}", None
        return importers(api()._library(lib) or lib, module, name).get(caller.library)

    def _named_importer(self, reading: Reading, lib: str) -> Caller | None:
        """Without a frame of the importer: a covered library named in the paste whose releases import the
        missing name (``I cannot import trl``: trl imports top_k_top_p_filtering from transformers)."""
        for other in sorted(importers_named(self, reading, lib), key=lambda o: self.text.lower().find(o.lower())):
            return Caller(other, "", "", "")
        return None

    def _caller_upgrade(self, reading: Reading, lib: str, caller: Caller) -> str | None:
        uses = self._uses(reading, lib, caller)
        if uses is None or not uses or max(uses.indices) == len(uses.releases) - 1:
            return None
        after = uses.releases[max(uses.indices) + 1]
        if self._use_elsewhere(reading, caller, uses):
            return None
        reading.say(f"{caller.library} stops using it in {after} (uses it in {uses})",
                    f"{caller.library} 从 {after} 起不再使用它（使用它的版本：{uses}）")
        return f"{caller.library}>={short(caller.library, after)}"

    # -- names: cannot import name / No module named / module has no attribute / object has no attribute
    def _import(self, reading: Reading) -> None:
        form = reading.form
        name, module = form.get("name"), form.get("module")
        if not module:
            module = self._module_from_code(name) or ""
        self._symbol(reading, module, name)

    def _module(self, reading: Reading) -> None:
        module = reading.form.get("module")
        parent, _, name = module.rpartition(".")
        self._symbol(reading, parent, name, submodule=True)
        reading.captures["old_use"] = f"import {module}"

    def _attribute(self, reading: Reading) -> None:
        self._symbol(reading, reading.form.get("module"), reading.form.get("name"))
        reading.captures["old_use"] = f"{reading.form.get('module')}.{reading.form.get('name')}"

    def _model_type(self, reading: Reading) -> None:
        """AutoConfig's unknown model type: the transformers releases whose ``transformers.models`` package of that
        name exists (a sub-config's type, ``gemma3_text``, is its model's package), or none: then it is a project's
        or a model repository's own type, which no release will add (unless the user already runs the newest)."""
        model_type = reading.form.get("model_type")
        reading.captures.update({"model_type": model_type, "library": "transformers"})
        have = model_type_releases(model_type)
        if have is None:  # only a package whose name starts the type's (llava for llava_llama): it says nothing
            return
        self._transformers_name(reading, have, "model_type", f"a model type `{model_type}`",
                                f"`{model_type}` 这个 model_type",
                                "no transformers.models package of that name: it is registered by a project's or "
                                "the model repository's own code",
                                "transformers.models 下没有同名的包：它由项目或模型仓库自己的代码注册")

    def _tokenizer_class(self, reading: Reading) -> None:
        """AutoTokenizer's class from tokenizer_config.json: the transformers releases that export it or its twin
        (``XTokenizer`` / ``XTokenizerFast``: 4.x tries the fast one first, 5.x has one class), or none: a model
        repository's own class (its code not loaded: ``trust_remote_code``, files left out of a saved folder)."""
        name = reading.form.get("tokenizer_class")
        reading.captures.update({"tokenizer_class": name, "library": "transformers"})
        slow = name[: -len("Fast")] if name.endswith("Fast") else name
        have = api().symbol_releases("transformers", "transformers", slow) \
            | api().symbol_releases("transformers", "transformers", slow + "Fast")
        self._transformers_name(reading, have, "tokenizer_class", f"a tokenizer class `{name}`",
                                f"`{name}` 这个分词器类",
                                "neither it nor its fast or slow twin is exported: it is the model repository's own "
                                "class, loaded only from its own code",
                                "它和它的 fast / slow 版本都不在 transformers 里：它是模型仓库自己的类，只能从仓库自己的代码加载")

    def _transformers_name(self, reading: Reading, have, fact: str, what: str, what_zh: str, none: str,
                           none_zh: str) -> None:
        """A name transformers' auto classes look up (a model type, a tokenizer class), against the releases that have
        it: ``<fact>_never_in_release`` when no covered release does and the user's is not known to be the newest (the
        name may be newer than the history), ``<fact>_added`` with the first release that has it, when a later one
        added it."""
        lib = "transformers"
        history = f"from the API history of {lib} {coverage(lib)}"
        history_zh = f"根据 {lib} {coverage(lib)} 的 API 历史"
        if not have:
            mine = self.installed(lib)
            newest = api().releases(lib)[-1:]
            key, top = vkey(mine.version or ""), vkey(newest[0]) if newest else None
            if mine.from_paste and key is not None and top is not None and key >= top:
                return  # the user has the newest covered release: the name may be newer than the history
            reading.say(f"{history}: no release has {what} ({none})", f"{history_zh}：没有任何版本有{what_zh}（{none_zh}）")
            reading.hold(f"{fact}_never_in_release")
            return
        mine, index = self._user_release(lib, have)
        reading.captures.update(self._installed_captures(mine))
        first = have.releases[min(have.indices)]
        reading.captures.update({"first_good": first, "releases": str(have)})
        reading.say(f"{history}: {what} exists in {have}", f"{history_zh}：{what_zh}存在于 {have}")
        reading.says.append(mine.says())
        if index is not None and index in have.indices:
            if fact == "model_type":  # a tokenizer class the release has may still fail to import (its backend)
                reading.say(f"the history says {mine.version} has it: the failing process runs another installation",
                            f"API 历史显示 {mine.version} 中有它：出错的进程用的是另一处安装")
            return
        if min(have.indices) == 0:
            return  # in every covered release: the history cannot say which release added it
        reading.say(f"it was added in {lib} {short(lib, first)}", f"{lib} 从 {short(lib, first)} 起才有它")
        reading.captures["upgrade"] = f"{lib}>={short(lib, first)}"
        reading.hold(f"{fact}_added")

    def _module_from_code(self, name: str) -> str | None:
        m = re.search(rf"from\s+({DOTTED}|{NAME})\s+import\s+[^\n]*\b{re.escape(name)}\b", self.text)
        if m:
            return m.group(1)
        places = api().find_symbol(name)
        return places[0].module if places else None

    def _symbol(self, reading: Reading, module: str, name: str, submodule: bool = False) -> None:
        ah = api()
        lib = ah.library_of(module) if module else None
        root = module.split(".")[0] if module else ""
        reading.captures.update({"name": name, "module": module, "symbol": f"{module}.{name}" if module else name})
        reading.captures["library"] = pip_name(lib) if lib else (root.replace("_", "-") if root else "")
        if lib is None:
            if module:
                reading.say(f"{root} is not in the API history: kbfix cannot say which releases have {module}.{name}",
                            f"API 历史不包含 {root}：kbfix 无法判断哪些版本有 {module}.{name}")
            return
        have = ah.module_releases(lib, f"{module}.{name}") if submodule else ah.symbol_releases(lib, module, name)
        if not submodule:
            have = have | ah.module_releases(lib, f"{module}.{name}")  # `from flax import optim`: a submodule
        if "." in name and have:
            have = self._with_inherited(reading, lib, module, name, have)
        caller = _caller(self.text, reading.form, lib)
        if caller.library is None:
            caller = self._named_importer(reading, lib) or caller
        if caller.library or caller.path:
            reading.captures["caller"] = caller.library or caller.path
        history = f"from the API history of {lib} {coverage(lib)}"
        history_zh = f"根据 {lib} {coverage(lib)} 的 API 历史"
        if not have:
            self._absent(reading, lib, module, name, history, history_zh)
            if caller.library and ("symbol_moved" in reading.facts or "symbol_never_existed" in reading.facts):
                reading.captures["upgrade"] = caller.library  # the package that imports it, written for older releases
                reading.says.append(caller.says())
            return
        mine, index = self._user_release(lib, have)
        reading.captures.update(self._installed_captures(mine))
        direction = self._direction(lib, have, mine, index)
        first, last = have.first(), have.last()
        reading.captures.update({"first_good": first, "last_good": last, "releases": str(have)})
        reading.say(f"{history}: {module}.{name} exists in {have}", f"{history_zh}：{module}.{name} 存在于 {have}")
        reading.says.append(mine.says())
        patch = _patch_gap(have, mine, index)
        if patch:
            reading.say(f"the history covers {mine.version} only by {patch[1]}, a later patch of its series that has it: "
                        f"a patch release dropped or restored it", f"API 历史只收录了同一系列中更晚的补丁版本 {patch[1]}（其中有它），"
                        f"没有 {mine.version}：某个补丁版本删掉或恢复了它")
        elif index is not None and index in have.indices:
            reading.say(f"the history says {mine.version} has it: the failing process runs another installation, or a "
                        "broken, partial or shadowed one", f"API 历史显示 {mine.version} 中有它：出错的进程用的是另一处安装，"
                        "或者安装损坏、不完整、被同名文件遮蔽")
        if direction is None:
            return
        if direction == "removed":
            gap = _gap(have, index) or patch
            gone = gap[0] if gap else next((have.releases[i] for i in range(have.releases.index(last) + 1, len(have.releases))
                                            if i not in have.indices), None)
            reading.captures["first_bad"] = gone or ""
            if patch:
                reading.say(f"{lib} {patch[0]} lacks it (the error) and {patch[1]} has it",
                            f"{lib} {patch[0]} 中没有它（见报错），{patch[1]} 中有它")
            else:
                reading.say(f"it is gone from {lib} {short(lib, gone)}", f"{lib} 从 {short(lib, gone)} 起不再有它")
            if gap and not patch:
                reading.say(f"and back from {lib} {short(lib, gap[1])}", f"{lib} 从 {short(lib, gap[1])} 起又有了它")
            reading.hold("symbol_removed", "symbol_not_in_release")
            moved = self._moved(lib, module, name)
            if moved:
                reading.captures["moved_to"] = moved
                reading.say(f"{name} now lives in {moved}", f"{name} 现在位于 {moved}")
        else:
            reading.hold("symbol_not_yet_added", "symbol_not_in_release")
            if patch:
                reading.say(f"{lib} {patch[0]} lacks it (the error) and {patch[1]} has it",
                            f"{lib} {patch[0]} 中没有它（见报错），{patch[1]} 中有它")
            elif min(have.indices) == 0:
                reading.say(f"every covered release has it: yours is older than {first}, or not the real {lib}",
                            f"所有已覆盖的版本都有它：你的版本早于 {first}，或者装的不是真正的 {lib}")
            else:
                reading.say(f"it was added in {lib} {short(lib, first)}", f"{lib} 从 {short(lib, first)} 起才有它")
        reading.says.append(caller.says())
        self._bounds(reading, lib, have, direction, caller)

    def _with_inherited(self, reading: Reading, lib: str, module: str, name: str, have):
        """``have`` for a method (``Class.method``) with the releases where the class inherits it: the history records
        the methods a class defines itself, so a method moved up to a base class (PEFT 0.18's
        ``BaseTuner.merge_and_unload``) would read as removed from every release since."""
        owner, _, method = name.rpartition(".")
        gone = max(have.indices) + 1
        if gone >= len(have.releases):
            return have
        kept = api().symbol_releases(lib, module, owner)
        base = inherited_from(lib, owner, method, gone) if gone in kept.indices else None
        if base is None:
            return have  # the class went with it, or no class took the method over: removed
        release = short(lib, have.releases[gone])
        reading.say(f"{lib} {release} stops defining {method} on {owner} and starts defining {base}: most likely moved up "
                    f"to a base class that {owner} inherits it from, not removed (the history records the methods a class "
                    f"defines itself)",
                    f"{lib} {release} 不再在 {owner} 上定义 {method}，同时开始定义 {base}：多半是被移到了 {owner} 继承的基类里，"
                    f"并没有被删除（API 历史只记录类自己定义的方法）")
        return type(have)(have.library, have.releases, have.indices | {i for i in kept.indices if i >= gone})

    def _moved(self, lib: str, module: str, name: str) -> str | None:
        """The module of the same library that offers ``name`` in the latest release (moved or renamed there)."""
        ah = api()
        latest = len(ah.releases(lib)) - 1
        if name.lower() in GENERIC_NAMES or len(name) < 4:
            return None
        for place in ah.find_symbol(name, (lib,)):
            if place.module != module and latest in place.releases.indices and not place.module.endswith("dummy_pt_objects"):
                return f"{place.module}.{name}"
        for mod in modules_named(lib, name):
            if mod != f"{module}.{name}" and latest in ah.module_releases(lib, mod).indices:
                return mod
        if name[:1].isupper():  # a class another library offers now (transformers.AdamW -> torch.optim.AdamW)
            others = [p for p in ah.find_symbol(name) if p.library != lib and max(p.releases.indices, default=-1)
                      == len(p.releases.releases) - 1 and not is_module(p.library, f"{p.module}.{name}")]
            others.sort(key=lambda p: (p.library != "torch", p.module.count(".")))
            if others:
                return f"{others[0].module}.{name}"
        return None

    def _absent(self, reading: Reading, lib: str, module: str, name: str, history: str, history_zh: str) -> None:
        """In no covered release of the named module: moved inside the library, another library's, a typo,
        or gone before the history starts."""
        ah = api()
        mine = self.installed(lib)
        reading.captures.update(self._installed_captures(mine))
        reading.say(f"{history}: {module}.{name} is in no covered release", f"{history_zh}：所有已覆盖版本中都没有 {module}.{name}")
        reading.says.append(mine.says())
        distinctive = name.lower() not in GENERIC_NAMES and len(name) >= 4
        inside = [p for p in ah.find_symbol(name, (lib,)) if not p.module.endswith("dummy_pt_objects")] if distinctive else []
        modules = [m for m in modules_named(lib, name) if m != f"{module}.{name}"] if distinctive else []
        if inside or modules:
            where = inside[0].module + "." + name if inside else modules[0]
            releases = inside[0].releases if inside else ah.module_releases(lib, modules[0])
            reading.captures["moved_to"] = where
            reading.say(f"{lib} has it as {where} ({releases}): it moved, or was removed before {ah.releases(lib)[0]}",
                        f"{lib} 中它位于 {where}（{releases}）：已被移动，或在 {ah.releases(lib)[0]} 之前被删除")
            reading.hold("symbol_moved")
            return
        elsewhere = [p for p in ah.find_symbol(name) if p.library != lib and not p.module.endswith(f".{name}")
                     and not is_module(p.library, f"{p.module}.{name}") and name[:1].isupper()]
        if elsewhere:
            place = elsewhere[0]
            reading.captures.update({"elsewhere": f"{place.module}.{name}", "elsewhere_library": pip_name(place.library)})
            reading.say(f"{name} belongs to {place.library}: {place.module}.{name} ({place.releases})",
                        f"{name} 属于 {place.library}：{place.module}.{name}（{place.releases}）")
            reading.hold("symbol_elsewhere")
            return
        if name.startswith("_"):
            reading.say("the API history lists public names only: it cannot date a private one",
                        "API 历史只收录公开名字：无法确定私有名字存在于哪些版本")
            return
        near = near_name(lib, module, name)
        if near:
            reading.captures["suggestion"] = near
            reading.say(f"{module} has {near}: a misspelling of it?", f"{module} 中有 {near}：是拼写错误吗？")
            reading.hold("symbol_misspelled")
            return
        reading.say(f"no covered library has {name}: it was removed before {lib} {ah.releases(lib)[0]}, or never existed",
                    f"没有任何已覆盖的库有 {name}：它在 {lib} {ah.releases(lib)[0]} 之前已被删除，或者从未存在")
        reading.hold("symbol_never_existed")

    def _object(self, reading: Reading) -> None:
        cls, name = reading.form.get("cls"), reading.form.get("name")
        place = self._class_place(cls, reading.form)
        if place is None:
            return
        lib, module = place
        ah = api()
        have = ah.function_releases(lib, f"{module}:{cls}.{name}") | ah.symbol_releases(lib, module, f"{cls}.{name}")
        if not have and cls.endswith("Config"):
            have = _config_field(lib, module, cls, name)
        if have:
            have = self._with_inherited(reading, lib, module, f"{cls}.{name}", have)
        elif not name.startswith("_") and ah.symbol_releases(lib, module, cls):
            # not defined on the class itself: a method it inherits from one of the library's base classes
            indices, bases = base_definitions(lib, name)
            if indices:
                have = type(ah.symbol_releases(lib, module, cls))(lib, ah.releases(lib), indices)
                reading.say(f"{cls} does not define {name} itself; {', '.join(bases[:2])} (a base class of the library) "
                            f"defines it", f"{cls} 自己没有定义 {name}；库中的基类 {', '.join(bases[:2])} 定义了它")
        reading.captures.update({"library": pip_name(lib), "symbol": f"{cls}.{name}", "name": f"{cls}.{name}", "module": module,
                                 "old_use": f"<a {cls}>.{name}   ({module}.{cls})"})
        if not have:
            # attributes set in __init__ and private helpers are not in the history; what can be said is who reads it
            caller = _caller(self.text, reading.form, lib)
            if caller.library and caller.library != lib:
                reading.captures["caller"] = caller.library
                reading.captures["upgrade"] = caller.library
                reading.say(f"{caller.library} reads {cls}.{name} of {lib} ({module}.{cls}); the API history lists "
                            f"public names only and cannot date it", f"{caller.library} 读取 {lib} 的 {cls}.{name}"
                            f"（{module}.{cls}）；API 历史只收录公开名字，无法确定它存在于哪些版本")
                reading.hold("attribute_across_libraries")
            if reading.form.get("type_object"):
                # read on the class itself (`type object 'X' has no attribute 'y'`): a class attribute of the library's
                # class that no covered release has
                reading.say(f"no covered release of {lib} ({coverage(lib)}) has {cls}.{name}: a class attribute removed "
                            f"before the history starts, or a private one it cannot date",
                            f"{lib} 的已覆盖版本（{coverage(lib)}）中都没有 {cls}.{name}：该类属性在历史起点之前已被删除，"
                            f"或是历史无法确定的私有属性")
                reading.hold("class_attribute_undated")
            if reading.facts - {"skew_form"}:
                reading.says.append(self.installed(lib).says())
                reading.captures.update(self._installed_captures(self.installed(lib)))
            return
        lived = ah.symbol_releases(lib, module, cls)
        if lived.indices and lived.indices <= have.indices:
            # the user's object is an instance of the class, which had it in every release that has the class: the
            # object is not what the code expects (a wrapper, another class of the same name), not an old release
            reading.say(f"from the API history of {lib} {coverage(lib)}: {cls} has {name} in every release that has "
                        f"{cls} ({lived}): no release of {lib} lacks it", f"根据 {lib} {coverage(lib)} 的 API 历史：凡是有 "
                        f"{cls} 的版本（{lived}）都有 {name}：没有哪个 {lib} 版本缺它")
            return
        self._releases_of(reading, lib, have, f"{module}.{cls}.{name}", reading.form)

    def _releases_of(self, reading: Reading, lib: str, have, what: str, form: Form, kind: str = "symbol") -> str | None:
        """Facts and captures for something (a method, a keyword) that exists in ``have``."""
        mine, index = self._user_release(lib, have)
        reading.captures.update(self._installed_captures(mine))
        direction = self._direction(lib, have, mine, index)
        reading.captures.update({"first_good": have.first(), "last_good": have.last(), "releases": str(have)})
        reading.say(f"from the API history of {lib} {coverage(lib)}: {what} exists in {have}",
                    f"根据 {lib} {coverage(lib)} 的 API 历史：{what} 存在于 {have}")
        reading.says.append(mine.says())
        if index is not None and index in have.indices and not _patch_gap(have, mine, index):
            reading.say(f"the history says {mine.version} has it: the failing process runs another installation, or a "
                        "broken one", f"API 历史显示 {mine.version} 中有它：出错的进程用的是另一处安装，或者安装已损坏")
        if direction is None:
            return None
        if kind == "symbol":
            reading.hold("symbol_removed" if direction == "removed" else "symbol_not_yet_added", "symbol_not_in_release")
        caller = _caller(self.text, form, lib)
        if caller.library or caller.path:
            reading.captures["caller"] = caller.library or caller.path
        reading.says.append(caller.says())
        self._bounds(reading, lib, have, direction, caller)
        return direction

    def _class_place(self, cls: str, form: Form, method: str = "", kwarg: str = "") -> tuple[str, str] | None:
        """(library, module) of a class name: the library of the frames above the error first, else the
        first covered library that offers it; among those, for a keyword, a class whose ``method`` takes
        it in some release (deepspeed has a ``zero.Init`` and a ``linear.Init``)."""
        ah = api()
        places = [p for p in ah.find_symbol(cls) if not p.module.endswith("dummy_pt_objects")
                  and not (p.module.startswith(REIMPLEMENTED_MODELS) and not installed_mod.named(self.text, p.library))]
        if not places:
            return None
        framed = {ah.library_of(pkg) for _, pkg, _ in _frames_before(self.text, form.line) if pkg}
        pool = [p for p in places if p.library in framed] or places
        if kwarg and method and len(pool) > 1:
            pool = [p for p in pool if ah.param_releases(p.library, f"{p.module}.{cls}.{method}", kwarg)] or pool
        place = pool[0]
        return place.library, place.module

    # -- keywords --------------------------------------------------------------------------------------
    def _callable(self, form: Form, kwarg: str = "") -> tuple[str, str, str, str] | None:
        """(library, module, class or "", method) of the callable the message names; a bare ``__init__()``
        (Python < 3.10) is looked up in the code shown above it."""
        text = form.get("callable")
        text = re.sub(r"(^|\.)init$", r"\1__init__", text)  # markdown ate the underscores
        parts = text.split(".")
        method = parts[-1]
        owner = parts[-2] if len(parts) >= 2 else ""
        if not owner and kwarg:
            owner = self._owner_from_code(kwarg) or ""
        if not owner and method == "__init__":
            owner = self._owner_from_call_line(form, kwarg) or ""
        if not owner:
            place = self._function_place(method, kwarg, form) if method != "__init__" and kwarg else None
            return (place[0], place[1], "", method) if place else None
        place = self._class_place(owner, form, method, kwarg)
        if place is None:
            return ("", "", owner, method)
        return (place[0], place[1], owner, method)

    def _function_place(self, name: str, kwarg: str, form: Form) -> tuple[str, str] | None:
        """(library, module) of a bare function named in the message (``load_dataset() got an unexpected keyword
        argument 'trust_remote_code'``): the one covered library whose function of that name takes ``kwarg`` in some
        release (among several, the one the frames above the error or the paste name); None when no library's does
        (a function of the user's own) or it stays ambiguous. Its public module: the shortest path."""
        ah = api()
        taking = [p for p in ah.find_symbol(name) if not is_module(p.library, f"{p.module}.{name}")
                  and keyword_releases(p.library, f"{p.module}.{name}", kwarg)]
        libraries = {p.library for p in taking}
        if len(libraries) > 1:
            shown = {ah.library_of(pkg) for _, pkg, _ in _frames_before(self.text, form.line) if pkg}
            libraries = (libraries & shown) or {lib for lib in libraries if installed_mod.named(self.text, lib)}
        if len(libraries) != 1:
            return None
        (lib,) = libraries
        place = min((p for p in taking if p.library == lib), key=lambda p: (p.module.count("."), p.module))
        return lib, place.module

    def _owner_from_call_line(self, form: Form, kwarg: str) -> str | None:
        """The class a bare ``__init__()`` belongs to, from the failing line shown above the message
        (``AsyncLLMEngine.from_engine_args(AsyncEngineArgs(**engine_args))``): the one class called there
        that the history knows, or the one of them whose ``__init__`` takes ``kwarg`` in some release."""
        line = _failing_line(self.text, form)
        names = list(dict.fromkeys(m.group(1) for m in CLASS_CALL_RE.finditer(line)))
        placed = [name for name in names if self._class_place(name, form) is not None]
        if kwarg and len(placed) > 1:
            ah = api()
            placed = [name for name in placed if any(ah.param_releases(p.library, f"{p.module}.{name}.__init__", kwarg)
                                                     for p in ah.find_symbol(name))] or placed
        return placed[0] if len(placed) == 1 else None

    def _owner_from_code(self, kwarg: str) -> str | None:
        """The class called with ``kwarg=`` in the code shown (``TrainingArguments(..., kwarg="steps")``)."""
        for m in re.finditer(rf"\b{re.escape(kwarg)}\s*=", self.text):
            depth, i = 0, m.start() - 1
            stop = max(0, m.start() - 3000)
            while i >= stop:
                ch = self.text[i]
                if ch == ")":
                    depth += 1
                elif ch == "(":
                    if depth == 0:
                        name = re.search(rf"({DOTTED}|{NAME})\s*$", self.text[max(0, i - 200):i])
                        if name:
                            return name.group(1).split(".")[-1]
                        break
                    depth -= 1
                i -= 1
        return None

    def _kwarg(self, reading: Reading) -> None:
        form = reading.form
        kwarg = form.get("kwarg")
        found = self._callable(form, kwarg)
        reading.captures["kwarg"] = kwarg
        if found is None:
            return
        lib, module, owner, method = found
        shown = f"{owner}.{method}" if owner else method
        reading.captures.update({"callable": shown, "symbol": f"{shown}({kwarg})"})
        ah = api()
        if not lib:
            self._override(reading, form, owner, method, kwarg=kwarg)
            return
        reading.captures["library"] = pip_name(lib)
        qualname = f"{module}.{owner}.{method}" if owner else f"{module}.{method}"
        exists = ah.function_releases(lib, qualname)
        if not exists:
            return
        caller = _caller(self.text, form, None)
        if caller.library == lib and not _keywords_from_data(self.text, form, kwarg) \
                and not _forwards_keywords(lib, caller, kwarg) \
                and self._override(reading, form, owner, method, kwarg=kwarg, base=(lib, module)):
            return  # the library calls its own method with a keyword the method lacks: an override
        have = keyword_releases(lib, qualname, kwarg)
        latest = ah.signature(lib, qualname, ah.releases(lib)[-1])
        if not have:
            if latest is not None and latest.varkw:
                return  # **kwargs takes anything: the keyword goes further down, the history cannot follow it
            reading.say(f"from the API history of {lib} {coverage(lib)}: no release of {shown} takes {kwarg} "
                        f"({shown} exists in {exists})",
                        f"根据 {lib} {coverage(lib)} 的 API 历史：{shown} 的任何版本都不接受 {kwarg}（{shown} 存在于 {exists}）")
            reading.hold("kwarg_never_existed")
            if self._written_by_user(kwarg, form):
                reading.say(f"your code passes {kwarg}= itself: a wrong argument rather than a version",
                            f"是你的代码自己传入了 {kwarg}=：这是参数写错了，而不是版本问题")
                reading.hold("kwarg_invalid")
            others = {f.get("kwarg") for f in _same_callable(self.text, form)}
            if len(others) >= 2 and all(not ah.param_releases(lib, qualname, k) for k in others):
                reading.captures["kwargs"] = ", ".join(sorted(others))
                reading.hold("kwargs_never_existed")
            return
        elsewhere = self._class_elsewhere(reading, lib, owner, method, kwarg, have) if owner else None
        if elsewhere:
            lib, have = elsewhere
            reading.captures["library"] = pip_name(lib)
        direction = self._releases_of(reading, lib, have, f"{shown}({kwarg}=...)", form, kind="kwarg")
        if direction is None:
            return
        reading.hold("kwarg_not_accepted")
        if (direction == "not_yet" and owner.endswith("Config")
                and (CONFIG_LOAD_RE.search(self.text)
                     or not (self._written_by_user(kwarg, form) or TRAINING_RUN_RE.search(self.text)))):
            reading.say(f"a config saved by {lib} {have.first()} or later holds {kwarg}; this release cannot read it",
                        f"由 {lib} {have.first()} 或更新版本保存的配置含有 {kwarg}；当前版本无法读取")
            reading.hold("config_saved_by_newer")

    def _class_elsewhere(self, reading: Reading, lib: str, owner: str, method: str, kwarg: str, have):
        """(library, releases taking ``kwarg``) of a class that another covered library, named in the paste, defines
        under the same name (Unsloth's own ``LlamaRotaryEmbedding``), when the paste shows a release of ``lib`` whose
        class takes the keyword: the call reached the other library's class, so a bound on ``lib`` that the user
        already meets would fix nothing. None otherwise."""
        mine = self.installed(lib)
        if not (mine.from_paste and mine.version):
            return None
        index = release_index(lib, have, mine.version)
        if index is None or index not in have.indices or _patch_gap(have, mine, index):
            return None
        ah = api()
        for place in ah.find_symbol(owner):
            if place.library == lib or not installed_mod.named(self.text, place.library):
                continue
            other = ah.param_releases(place.library, f"{place.module}.{owner}.{method}", kwarg)
            if other:
                reading.say(f"{lib} {mine.version} (in the paste) takes {kwarg} there; {place.library} defines its own "
                            f"{owner}: the call reached {place.library}'s class",
                            f"{lib} {mine.version}（粘贴内容中的版本）在这里接受 {kwarg}；{place.library} 定义了自己的 "
                            f"{owner}：调用到的是 {place.library} 的类")
                return place.library, other
        return None

    def _written_by_user(self, kwarg: str, form: Form) -> bool:
        caller = _caller(self.text, form, None)
        if caller.library:
            return False
        return bool(re.search(rf"\b{re.escape(kwarg)}\s*=", self.text))

    def _override(self, reading: Reading, form: Form, owner: str, method: str, *, kwarg: str = "",
                  counts: tuple[int, int] | None = None, base: tuple[str, str] | None = None) -> bool:
        """An override out of step: the library that calls ``method`` (the frame above the error, else
        transformers' Trainer) gained a parameter in a release the override was not written for."""
        ah = api()
        candidates = []
        for path, pkg, func in _frames_before(self.text, form.line):
            lib = ah.library_of(pkg) if pkg else None
            if lib:
                mod = _module_of(path, pkg)
                candidates += [(lib, mod, p) for p in methods(lib, mod, method)]
                break
        if base is not None:
            candidates += [(base[0], base[1], f"{owner}.{method}" if owner else method)]
        if not candidates:  # no frame: the Trainer's hooks, or the model methods the Trainer calls
            candidates = [("transformers", "transformers.trainer", f"Trainer.{method}"),
                          ("transformers", "transformers.modeling_utils", f"PreTrainedModel.{method}")]
        for lib, mod, path in candidates:
            qualname = f"{mod}:{path}"
            exists = ah.function_releases(lib, qualname)
            if not exists:
                continue
            installed = self.installed(lib)
            if kwarg:
                have = ah.param_releases(lib, qualname, kwarg)
                what = f"{path}({kwarg}=...)"
            else:
                takes, given = counts
                have = with_positional(lib, qualname, exists, given)
                what = f"{path} with {given} positional parameters"
            # the run of releases that holds the user's release (else the latest): a parameter that came, went
            # and came back changed for this user where that run began
            changed = have.run_start(installed.version) if have else None
            if changed is None or changed == have.releases[0]:
                continue
            if not kwarg:
                if not with_positional(lib, qualname, exists, takes):
                    continue
                reading.hold("positional_count_changed")
            pip_lib = pip_name(lib)
            reading.captures.update({"library": pip_lib, "base": f"{mod}.{path}", "changed_in": short(lib, changed),
                                     "pin": f"{pip_lib}<{short(lib, changed)}", "releases": str(have)})
            holder = _caller(self.text, form, lib)
            override = f"{owner}.{method}" if owner else method  # "log() takes 2 positional arguments": no class named
            reading.say(f"from the API history of {lib} {coverage(lib)}: {lib} calls {what} from {changed} on "
                        f"({have}); the override {override} was written for an earlier release",
                        f"根据 {lib} {coverage(lib)} 的 API 历史：{lib} 从 {changed} 起以 {what} 调用它（{have}）；"
                        f"重写的 {override} 是按更早的版本写的")
            reading.says.append(installed.says())
            reading.captures.update(self._installed_captures(installed))
            site = [pkg for _, pkg, _ in _frames_before(self.text, form.line, 40) if pkg and ah.library_of(pkg) != lib
                    and pkg not in ("python",)]
            if site:
                reading.captures["upgrade"] = site[0]
                reading.captures["caller"] = site[0]
            elif holder.path:
                reading.captures["caller"] = holder.path
            reading.hold("override_out_of_step")
            return True
        return False

    def _positional(self, reading: Reading) -> None:
        form = reading.form
        takes, given = int(form.get("takes")), int(form.get("given"))
        parts = form.get("callable").split(".")
        owner, method = (parts[-2] if len(parts) >= 2 else ""), parts[-1]
        reading.captures.update({"callable": form.get("callable"), "symbol": form.get("callable")})
        place = self._class_place(owner, form) if owner else None
        self._override(reading, form, owner, method, counts=(takes, given), base=place)

    def _missing(self, reading: Reading) -> None:
        form = reading.form
        names = re.findall(rf"{Q}({NAME}){Q}", form.get("names"))
        parts = form.get("callable").split(".")
        owner, method = (parts[-2] if len(parts) >= 2 else ""), parts[-1]
        reading.captures.update({"callable": form.get("callable"), "symbol": form.get("callable")})
        place = self._class_place(owner, form) if owner else None
        if place is None:
            return
        lib, module = place
        ah = api()
        qualname = f"{module}.{owner}.{method}"
        for name in names:
            have = ah.param_releases(lib, qualname, name)
            if have and (min(have.indices) > 0 or max(have.indices) < len(have.releases) - 1):
                reading.captures.update({"library": pip_name(lib), "kwarg": name})
                if self._releases_of(reading, lib, have, f"{owner}.{method}({name})", form, kind="kwarg"):
                    reading.hold("kwarg_not_accepted")
                return

    # -- requirements and pip's resolver --------------------------------------------------------------
    def _requirement(self, reading: Reading) -> None:
        form = reading.form
        package = form.get("package")
        requirement = form.get("requirement") or f"{package}>={form.get('minimum')}"
        self._spec(reading, package, requirement, form.get("found"), "message", dependent=None)

    def _resolver(self, reading: Reading) -> None:
        form = reading.form
        requirement = form.get("requirement").split(";")[0].strip().replace(" and ", ",")
        package = form.get("package")
        if not requirement.lower().replace("_", "-").startswith(package.lower().replace("_", "-")):
            requirement = package + requirement
        self._spec(reading, package, requirement, form.get("have"), "resolver",
                   dependent=(form.get("dependent"), form.get("dependent_version")))

    def _spec(self, reading: Reading, package: str, requirement: str, found: str, source: str,
              dependent: tuple[str, str] | None) -> None:
        from packaging.requirements import InvalidRequirement, Requirement

        try:
            # (a sentence's full stop after the release: "only works on transformers >= 4.50.0.")
            req = Requirement(re.sub(r"\s+", "", requirement).rstrip(".,;:"))
        except InvalidRequirement:
            return
        spec = req.specifier
        name = req.name
        mine = installed_mod.Installed(name, found, source) if found else self.installed(name)
        if mine.source == "environment":  # the check failed on the user's machine: this one's release says nothing
            mine = installed_mod.Installed(name, None, "unknown")
        caller = _caller(self.text, reading.form, api().library_of(name.replace("-", "_")))
        requirer = dependent[0] if dependent else caller.library
        reading.captures.update({"library": name, "package": name, "requirement": f"{name}{spec}", "symbol": f"{name}{spec}"})
        reading.captures.update(self._installed_captures(mine))
        if requirer:
            reading.captures["caller"] = requirer
        verb = (f"{dependent[0]} {dependent[1]} requires {name}{spec}" if dependent
                else f"{requirer + ' requires' if requirer else 'the check requires'} {name}{spec}")
        verb_zh = (f"{dependent[0]} {dependent[1]} 要求 {name}{spec}" if dependent
                   else f"{(requirer or '版本检查') + ' 要求'} {name}{spec}")
        reading.say(verb, verb_zh)
        reading.says.append(mine.says())
        key = vkey(mine.version) if mine.version else None
        if key is not None and key in spec.filter([key], prereleases=True):
            reading.say(f"{mine.version} satisfies it: the check read another installation",
                        f"{mine.version} 满足要求：检查读到的是另一处安装")
            return
        lows = [vkey(s.version) for s in spec if s.operator in (">=", ">", "~=", "==")]
        highs = [vkey(s.version) for s in spec if s.operator in ("<", "<=", "==")]
        below = key is not None and any(low is not None and key < low for low in lows)
        above = key is not None and any(high is not None and key > high for high in highs)
        ah = api()
        covered = ah._library(name)
        if covered:
            fits = [v for v in ah.releases(covered) if vkey(v) is not None and vkey(v) in spec.filter([vkey(v)], prereleases=True)]
            if fits:
                reading.captures["latest_fit"] = fits[-1]
                reading.say(f"covered releases of {name} that satisfy it: {fits[0]}-{fits[-1]} (API history)",
                            f"满足要求的 {name} 已覆盖版本：{fits[0]}-{fits[-1]}（API 历史）")
        if above and not below:
            reading.captures["pin"] = f"{name}{spec}"
            if requirer:
                reading.captures["upgrade"] = requirer
            reading.say(f"{name} {mine.version} is newer than {requirer or 'the check'} allows",
                        f"{name} {mine.version} 比 {requirer or '检查'} 允许的更新")
        else:
            reading.captures["upgrade"] = f"{name}{spec}"
            if dependent:
                reading.captures["pin"] = f"{name}{spec}"
        reading.hold("resolver_conflict" if source == "resolver" else "minimum_not_met")

    @staticmethod
    def _installed_captures(mine: installed_mod.Installed) -> dict[str, str]:
        if mine.version is None:
            source = installed_mod.SOURCES.get(mine.source, installed_mod.SOURCES["unknown"])
            return {"installed": "unknown", "installed_source": source.en}
        return {"installed": mine.version, "installed_source": installed_mod.SOURCES[mine.source].en}


def _gap(have, index: int | None) -> tuple[str, str] | None:
    """(first release without it, first release with it again) when the user's release ``index`` falls
    between releases that have it: a name removed and then restored (transformers 4.48.0 dropped
    ``is_torch_greater_or_equal_than_1_13``, 4.48.2 brought it back)."""
    if index is None or index in have.indices:
        return None
    before = [i for i in have.indices if i < index]
    after = [i for i in have.indices if i > index]
    if not before or not after:
        return None
    return have.releases[max(before) + 1], have.releases[min(after)]


def _patch_gap(have, mine: installed_mod.Installed, index: int | None) -> tuple[str, str] | None:
    """(the user's release, the covered release that stands for it) when the paste shows a release the history
    does not cover, an earlier patch of a series covered by a later one that has the name: the history cannot
    speak for that patch (transformers 4.35.0 dropped ``is_flash_attn_available`` from ``transformers.utils``,
    a later 4.35 patch put it back; the history covers the series by 4.35.2)."""
    if not mine.from_paste or index is None or index not in have.indices or mine.version in have.releases:
        return None
    key, stand = vkey(mine.version), vkey(have.releases[index])
    if key is None or stand is None or not key < stand:
        return None
    if (key.is_prerelease or key.is_devrelease) and key.base_version in have.releases:
        return None  # 0.13.0.dev0 is the code that became 0.13.0: the history speaks for it
    return mine.version, have.releases[index]


def _until(have, index: int) -> str:
    """``,<X``: the first release after ``index`` without the name, when a later one lacks it."""
    after = next((i for i in range(index + 1, len(have.releases)) if i not in have.indices), None)
    return f",<{have.releases[after]}" if after is not None else ""


def _config_field(lib: str, module: str, cls: str, name: str):
    """The releases in which a config class has the attribute ``name``: a config keeps its ``__init__``
    parameters as attributes (``LlamaConfig(attention_dropout=...)`` from transformers 4.36), so the releases
    whose ``__init__`` takes it. A parameter the last recorded ``__init__`` still takes stays in the releases
    the class has after it (an ``__init__`` the history no longer records: a config rewritten as a dataclass)."""
    ah = api()
    qualname = f"{module}.{cls}.__init__"
    have = ah.param_releases(lib, qualname, name)
    inits = ah.function_releases(lib, qualname)
    if not have or not inits or max(have.indices) != max(inits.indices):
        return have
    later = ah.symbol_releases(lib, module, cls)
    return have | ah.VersionSet(have.library, have.releases, frozenset(i for i in later.indices if i > max(have.indices)))


def _same_callable(text: str, form: Form) -> list[Form]:
    return [f for f in forms(text) if f.kind == "kwarg" and f.get("callable") == form.get("callable")]


def _module_of(path: str, pkg: str) -> str:
    tail = re.split(r"[/\\](?:site|dist)-packages[/\\]|[/\\]src[/\\]", path)[-1]
    tail = tail[tail.find(pkg):] if pkg in tail else tail
    module = re.sub(r"\.pyx?$", "", tail).replace("/", ".").replace("\\", ".")
    return module[: -len(".__init__")] if module.endswith(".__init__") else module


def importers_named(analysis: Analysis, reading: Reading, lib: str) -> list[str]:
    """Covered libraries named in the paste (as a word, by distribution or import name) that use what the
    reading is about."""
    module, name = reading.captures.get("module", ""), reading.captures.get("name", "")
    if reading.form.kind == "module":
        module, name = f"{module}.{name}", None
    found = importers(api()._library(lib) or lib, module, name)
    return [other for other in found if installed_mod.named(analysis.text, other)]

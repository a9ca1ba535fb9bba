"""Which release of a library the user has: read from the paste, else from the environment kbfix runs
in (saying so: a pasted log may come from another machine), else unknown.

A paste shows versions in many places; :func:`read` looks for them in order of trust:

1. the error itself (``but found tokenizers==0.13.2``) and pip's resolver (``but you have trl 0.16.1``);
2. ``pip list`` rows (``trl    0.15.2``) and ``pip freeze`` lines (``trl==0.15.2``);
3. environment reports (``transformers env``, ``llamafactory-cli env``, ``accelerate env``, issue
   templates' "System Info": ``- Transformers version: 4.50.0.dev0``, ``peft: 0.15.2``);
4. pip's output (``Successfully installed trl-0.16.1``, ``Requirement already satisfied: ... (4.45.2)``,
   ``pip show``'s ``Name: trl`` / ``Version: 0.16.1``);
5. ``.dist-info`` / ``.egg`` names in paths (``transformers-4.31.0.dist-info``);
6. a version written next to the name in prose or a banner (``With transformers-4.48.1``, ``jax-0.4.14``,
   ``when I load `optax==0.1.7` ``), not after "install" / "downgrade" (a version wanted is not the one
   installed).

Pure and linear in the text (one compiled pattern per library and source); no heavy imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kbfix.model import Text

VERSION = r"(?P<v>\d+(?:\.\d+){1,3}(?:(?:\.?(?:dev|post|rc|a|b)\d*)|(?:\+[\w.]+))*)"
# in prose a version needs three parts ("transformers 4.34" is more often a release talked about than the one
# installed), and a requirement written for pip ("pip install flax==0.5.3") is what the user wants, not has
PROSE_VERSION = r"(?P<v>\d+\.\d+\.\d+(?:(?:\.?(?:dev|post|rc|a|b)\d*)|(?:\+[\w.]+))*)"
INSTALL_RE = re.compile(r"(?:install|downgrade|upgrade|pin|update)[^\n]{0,40}$", re.I)
# names a library goes by in pastes besides its distribution and import names
ALIASES = {"huggingface_hub": ("huggingface_hub", "hf_hub", "hf hub"), "torch": ("torch", "pytorch"),
           "ms-swift": ("ms-swift", "swift"), "sentence-transformers": ("sentence-transformers", "sentence_transformers"),
           "orbax-checkpoint": ("orbax-checkpoint", "orbax"), "llamafactory": ("llamafactory", "llama-factory", "llama_factory"),
           "bitsandbytes": ("bitsandbytes", "bnb"), "open_clip_torch": ("open_clip_torch", "open_clip"),
           "llmcompressor": ("llmcompressor", "llm_compressor")}
SOURCES = {
    "message": Text("read from the error message", "从报错信息中读出"),
    "resolver": Text("read from pip's resolver output in the paste", "从粘贴的 pip 依赖解析输出中读出"),
    "pip list": Text("read from the pasted pip list", "从粘贴的 pip list 中读出"),
    "pip freeze": Text("read from the pasted pip freeze", "从粘贴的 pip freeze 中读出"),
    "env": Text("read from the environment report in the paste (transformers env / system info)",
                "从粘贴的环境信息（transformers env / System Info）中读出"),
    "pip": Text("read from pip's output in the paste", "从粘贴的 pip 输出中读出"),
    "path": Text("read from a .dist-info or site-packages path in the paste", "从粘贴内容中的 .dist-info 或 site-packages 路径读出"),
    "prose": Text("read from a version named next to it in the paste", "从粘贴内容中写在包名旁的版本读出"),
    "environment": Text("read from the environment kbfix runs in (the pasted log may come from another machine)",
                        "从运行 kbfix 的环境中读出（粘贴的日志可能来自另一台机器）"),
    "unknown": Text("not shown in the paste and not installed here", "粘贴内容中没有，本机也未安装"),
    "elsewhere": Text("not shown in the paste; the release installed here has it, so the error comes from another "
                      "installation", "粘贴内容中没有；本机安装的版本有它，所以报错来自另一处安装"),
}


@dataclass(frozen=True)
class Installed:
    """A release the user has (``version`` None when unknown) and where it was read (a key of SOURCES)."""

    library: str
    version: str | None
    source: str

    @property
    def from_paste(self) -> bool:
        return self.version is not None and self.source != "environment"

    def says(self) -> Text:
        if self.version is None:
            source = SOURCES.get(self.source, SOURCES["unknown"])
            return Text(f"installed {self.library}: unknown ({source.en})", f"已安装的 {self.library}：未知（{source.zh}）")
        source = SOURCES[self.source]
        return Text(f"installed {self.library} {self.version}, {source.en}", f"已安装 {self.library} {self.version}，{source.zh}")


def _name_pattern(library: str) -> str:
    names = {library, library.replace("-", "_"), library.replace("_", "-"), *ALIASES.get(library, ())}
    # a dash or an underscore in a name stands for any of "-_. " (one pass: the class it becomes holds both)
    return "(?:" + "|".join(sorted((re.sub(r"\\-|_", "[-_. ]", re.escape(n)) for n in names),
                                   key=len, reverse=True)) + ")"


@lru_cache(maxsize=256)
def _patterns(library: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    n = _name_pattern(library)
    edge = r"(?<![\w.\-])"
    end = r"(?![\w])"
    return (
        ("message", re.compile(rf"but found {edge}{n}==+{VERSION}", re.I)),
        ("resolver", re.compile(rf"but you have {edge}{n} {VERSION}", re.I)),
        ("resolver", re.compile(rf"The user requested {edge}{n}==+{VERSION}", re.I)),
        ("pip list", re.compile(rf"^\s*{n}\s{{2,}}{VERSION}(?:\s|$)", re.I | re.M)),
        ("pip freeze", re.compile(rf"^\s*{n}=={VERSION}\s*$", re.I | re.M)),
        # `pip show L`: "Name: L" then "Version: X" on the next line
        ("pip", re.compile(rf"^[\s`>]*Name:\s*{n}\s*\n[\s`>]*Version:\s*{VERSION}", re.I | re.M)),
        ("env", re.compile(rf"^[\s\-*>|`]*{n}`?(?:\.__version__)?(?:\s+version)?\s*(?:\([^)\n]*\))?\s*[:=]+\s*`?v?{VERSION}", re.I | re.M)),
        ("pip", re.compile(rf"Successfully installed\b[^\n]*?\s{n}-{VERSION}", re.I)),
        ("pip", re.compile(rf"Requirement already satisfied: {n}\b[^\n(]*\({VERSION}\)", re.I)),
        # the same line copied without its prefix: "transformers in /usr/local/lib/python3.10/dist-packages (4.42.4)"
        ("pip", re.compile(rf"^[\s`>\-]*{n} in [^\s(][^\n(]*\({VERSION}\)", re.I | re.M)),
        ("path", re.compile(rf"{edge}{n}-{VERSION}(?:\.dist-info|-py\d)", re.I)),
        ("env", re.compile(rf"{edge}{n}\.__version__\s*[:=]+\s*{VERSION}", re.I)),
        ("prose", re.compile(rf"{edge}{n}(?:-| v?| version |: |==){PROSE_VERSION}{end}", re.I)),
    )


def named(text: str, library: str) -> bool:
    """Whether the paste names ``library`` as a word, by its distribution or import name (``orbax-checkpoint``,
    ``orbax.checkpoint``, ``sentence_transformers``)."""
    return re.search(rf"(?<![\w.\-]){_name_pattern(library)}(?![\w\-])", text, re.I) is not None


def from_paste(text: str, library: str) -> Installed | None:
    """The release of ``library`` the paste shows, by the most trusted source that has one."""
    for source, pattern in _patterns(library):
        for match in pattern.finditer(text):
            if source == "prose" and INSTALL_RE.search(text, max(0, match.start() - 40), match.start()):
                continue  # "pip install -U transformers 4.46.0", "downgrade to jax 0.4.14": wanted, not installed
            return Installed(library, match.group("v").rstrip("."), source)
    return None


def read(text: str, library: str) -> Installed:
    """The user's release of ``library``: from the paste, else from this environment, else unknown."""
    found = from_paste(text, library)
    if found is not None:
        return found
    from kbfix.versions import installed

    here = installed(library)
    return Installed(library, here, "environment" if here else "unknown")

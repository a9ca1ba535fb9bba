"""Text -> :class:`~kbfix.model.Log`: normalized lines and the errors found in them.

Pure functions, no I/O. Copes with what users paste: plain CPython tracebacks and chains, partial
tracebacks (a few frames, or the error line alone), IPython/Jupyter/Colab output (``Cell In[3]``,
``---->`` arrows, frames as Markdown links, ``22 frames`` elisions), rich-boxed tracebacks, ANSI
colours, carriage-return progress bars, log prefixes (timestamps, levels, ``[rank3]:``,
``[default0]:``, ``[1,0]<stderr>:``, vLLM ``ERROR 01-02 03:04:05 [engine.py:123]``, Ray
``(Worker pid=123)``, loguru, pytest's ``E`` lines), interleaved ranks, Windows paths, Markdown
(fences, quotes, backticks, bold) and prose around the error, an exception line glued to prose in
any language (``报错如下：RuntimeError: ...``).

A paste with no exception line at all (only the message body: a list of ``size mismatch for ...``
lines, a run of ``Missing key(s)`` continuation lines, a log line) still yields a candidate: each
block of lines that says something went wrong becomes a *headless* error (``Exc.type == ""``) in
``Log.headless``, which the engine weighs like an exception whose type is unknown.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from kbfix.model import Exc, Frame, Log, Trace

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
RANK_RE = re.compile(r"^\s*\[(?:rank|default)(\d+)\]:\s?|^\s*\[\d+,(\d+)\]<std(?:err|out)>:\s?")
LOG_PREFIX_RE = re.compile(
    r"""^(?:
      \[\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}(?:,\d+)?\]\[[\w.-]+\]\[(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\s-\s?  # Hydra
    | \[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?   # ISO timestamp
        (?:\s(?:stdout|stderr)\s[FP](?=\s))?                                          # a container runtime's log
        (?:\s*(?:\||-)?\s*\[?(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\]?)?      # level
        (?:\s*\|\s*[\w.:-]+\s*\|)?                                                     # | stderr |
        (?:\s*\[[\w.]+:\d+:\w+\])?                                                     # [file.py:12:func]
        (?:\s*-\s*[\w.]+\s*-)?(?:\s?[:|])?\s?
    | \d{2}/\d{2}/\d{4}\s\d{2}:\d{2}:\d{2}\s-\s(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\s-\s[\w.]+\s-\s  # 08/12/2024 ... - INFO - name -
    | \[?[IWEF]\d{4}\s\d{2}:\d{2}:\d{2}\.\d+(?:\s+\d+)?\s[\w./-]+:\d+\]\s                 # absl / glog / torch's c10 logs
    | \[(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\|[\w./-]+:\d+\]\s\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}(?:,\d+)?\s>>\s?  # transformers' explicit format
    | \[(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\|\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}\]\s[\w./-]+:\d+\s>>\s?  # LLaMA-Factory
    | \[\d{4}/\d{2}/\d{2}\s\d{2}:\d{2}:\d{2}\]\s[\w.-]+\s(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):\s?    # PaddlePaddle
    | (?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.-]+:\s?(?=\S)                          # logging basicConfig
    )""",
    re.X,
)
FOREIGN_PREFIX_RE = re.compile(
    r"""^(?:
      (?:\((?:[\w.-]+\s+)?pid=\d+(?:,\s*ip=[\d.]+)?\)|\(raylet\))[ ]?                       # Ray: (Worker pid=123)
    | (?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\s+\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+\[[\w./-]+:\d+\][ ]?  # vLLM
    | \d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}(?:\.\d+)?\s*\|\s*[A-Z]+\s*\|\s*[^|\n]*?:\d+\s+-[ ]            # loguru
    | E\s{3,}(?=\S)                                                                           # pytest
    | \[?\d{1,7}\][ \t]                                                                       # log viewer line numbers
    | \d{1,7}\.\d{1,3}s[ \t]+\d{1,7}[ \t]                                                       # Kaggle's log: seconds, line
    | >(?!>)[ ]?                                                                               # Markdown quote
    )""",
    re.X,
)
FENCE_RE = re.compile(r"^\s*(?:```|~~~)[\w+-]*\s*$")
MD_LINK_RE = re.compile(r"\[(?P<text>[^\]\n]{1,400})\]\((?:https?://|#)[^)\s]*\)")
WRAP_RE = re.compile(r"^(?:\*\*|`+)(?P<inner>.*?)(?:\*\*|`+)?$")
ELISION_RE = re.compile(r"^\s*(?:\d+ frames?|\.{3,}|…+|。{2,}|\[\.\.\.\]|\(\.\.\.\)|<\.\.\.>)\s*$")
# words that say something went wrong; searched on RE2 only (:func:`says_trouble`)
TROUBLE_PATTERN = (
    r"(?i)error|exception|traceback|fail|fatal|abort|killed|segmentation fault|core dumped|assert|panic|"
    r"\bnan\b|\binf\b|timed? ?out|cannot|can't|could not|unable|not found|no such|denied|refused|invalid|"
    r"mismatch|missing|unexpected|not supported|unsupported|not (?:initialized|used)|out of memory|\bOOM\b|"
    r"undefined symbol|no kernel image|not compiled|illegal|warning|deprecated|has no attribute|must match|"
    r"no module named|only supports?|please specify|not implemented|no longer supports?|too old|max_split_size_mb|"
    # a check's own words for what it got ("Pipeline ... expected {...}, but only {...} were passed", "expected 3 but got 4")
    r"\bexpected\b[^\n]{0,200}\bbut\b|"
    r"错误|报错|失败|异常|无法|找不到|不匹配|显存|内存不足|不支持|警告|"
    # torch's load_state_dict lists keys double-quoted ('Missing key(s) in state_dict: "a.weight", "b.bias".'); a paste
    # that starts mid-list has only that run of quoted parameter names (a printed Python list quotes with ')
    r'(?:"\w+(?:\.\w+)+",\s*){2}')
MAX_HEADLESS = 6
MAX_DESCRIPTION_LINES, MAX_DESCRIPTION_CHARS = 3, 400  # a question or an issue title, not a log
# a screenshot or a bare link in an issue says nothing a description is made of
PICTURE_LINE_RE = re.compile(r"\s*(?:<img\b[^>]*>|!\[[^\]]*\]\([^)\s]*\)|<?https?://\S+>?)\s*$", re.I)
RUN_OUTPUT_RE = re.compile(
    r"\{'|\d+%\||\bit/s\b|\bs/it\b|^\[?\d{4}-\d{2}-\d{2}|\b(?:INFO|DEBUG|WARNING)\b|^Saving |checkpoint-\d+|"
    r"\b(?:loss|lr|learning_rate|grad_norm|epoch|step)\s*[:=]?\s*-?\d")
RICH_TOP_RE = re.compile(r"^\s*╭─+.*Traceback.*─+╮\s*$")
RICH_BOTTOM_RE = re.compile(r"^\s*╰─+╯\s*$")
RICH_SIDE_RE = re.compile(r"^\s*│(.*?)│?\s*$")
RICH_FRAME_RE = re.compile(r"^\s*(?P<file>(?:[A-Za-z]:)?[^\s:│][^:│]*?\.pyx?|<[^>]+>):(?P<line>\d+) in (?P<name>[\w<>.]+)\s*$")

TRACEBACK_RE = re.compile(r"Traceback \(most recent call last\):?")
IPY_HEADER_RE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)\s+Traceback \(most recent call last\)")
FRAME_RE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<name>.+?))?\s*$')
IPY_FRAME_RE = re.compile(
    r"^\s*(?:File\s+(?P<file>.+?):(?P<line>\d+)(?:,\s+in\s+(?P<name>[^(\s]+))?|Cell\s+(?P<cell>In\s*\[\d*\]),\s+line\s+(?P<cline>\d+)"
    r"|(?P<ofile>(?:/|[A-Za-z]:\\|<ipython-input-)\S+)\s+in\s+(?P<oname><[^>]*>|[^(\s]+)\(.*"
    # Colab / rendered notebooks: the file as a Markdown link, "[/usr/.../x.py](https://localhost:8080/#) in f(a, b)"
    r"|\[(?P<lfile>(?:/|[A-Za-z]:\\|<ipython-input-)[^\]\n]+)\]\([^)\s]*\)\s+in\s+(?P<lname><[^>]*>|[^(\s]+)\(.*)"
)
IPY_CODE_RE = re.compile(r"^\s*(?:-*>\s*)?\d+\s")
CHAIN_RE = re.compile(
    r"During handling of the above exception, another exception occurred|"
    r"The above exception was the direct cause of the following exception"
)
EXC_TYPE = (r"(?:[A-Za-z_][\w]*\.)*(?:_?[A-Z][A-Za-z0-9_]*(?:Error|Exception|Warning|Interrupt|Exit|Fault|Failure|Abort)"
            r"|KeyError|StopIteration|Exception)|(?:[a-z_][\w]*\.)+[A-Z]\w*")  # or any dotted class: jax's UnfilteredStackTrace
NAMED_TYPE_RE = re.compile(  # a class named as an exception (not any dotted class)
    r"(?:[A-Za-z_]\w*\.)*(?:_?[A-Z][A-Za-z0-9_]*(?:Error|Exception|Warning|Interrupt|Exit|Fault|Failure|Abort)"
    r"|KeyError|StopIteration|Exception)")
# Ray re-raises a worker's error as "ray.exceptions.RayTaskError(ValueError): ray::Worker.f() (pid=...)": the
# class in brackets is the worker's exception, the one a signature names (its own line may be cut off below)
RAISING_LINE_RE = re.compile(r"^\s*`?(?:assert\s|raise\b)")  # a statement that raises: its exception follows
EXC_RE = re.compile(rf"^(?P<type>{EXC_TYPE})(?:\((?P<inner>{EXC_TYPE})\))?(?:(?::\s?)(?P<msg>.*))?$")
# An exception line glued to prose: "报错如下：RuntimeError: ...", "I got ValueError: ...", "FAILED x.py::t - KeyError: 'a'"
GLUED_RE = re.compile(
    r"(?:(?<=[\s:：>*`(\[（“\"'，,。！!？?；;-])|(?<=[\u3000-\u9fff]))"
    r"(?P<type>(?:[A-Za-z_]\w*\.)*_?[A-Z]\w*(?:Error|Exception))(?:\s?[:：]\s?)(?P<msg>\S.*)$")
WARNING_RE = re.compile(r"^(?P<file>(?:[A-Za-z]:)?[^:]+\.py):(?P<line>\d+): (?P<type>[A-Z]\w*Warning): (?P<msg>.*)$")
LIB_RE = re.compile(r"[/\\](?:site|dist)-packages[/\\](?P<lib>[A-Za-z_][\w]*)")
KNOWN_LIBS = (
    "transformers", "peft", "deepspeed", "accelerate", "torch", "trl", "llamafactory", "flax", "jax", "jaxlib",
    "optax", "orbax", "safetensors", "tokenizers", "datasets", "bitsandbytes", "flash_attn", "sentence_transformers",
    "cn_clip", "open_clip", "vllm", "xformers", "huggingface_hub", "swift", "unsloth", "numpy", "gemma", "diffusers",
)
SRC_LIB_RE = re.compile(r"[/\\](?P<lib>" + "|".join(KNOWN_LIBS) + r")[/\\]")
STDLIB_RE = re.compile(r"[/\\]lib[/\\]python3\.\d+[/\\](?!site-packages|dist-packages)|^<frozen ")
MAX_LINE = 4000
MAX_MESSAGE_LINES = 200


@dataclass
class _Line:
    """A normalized log line with the rank and the prefix shape taken off it."""

    text: str
    rank: int | None
    prefix: str = ""  # the shape of the log prefix stripped from it (digits as 0), "" when none


@lru_cache(maxsize=1)
def _trouble():
    """:data:`TROUBLE_PATTERN` on RE2 (linear time): Python's engine tries each of the long
    alternation's words at every position of a line, 3.6 ms for a crafted 4,000-character line
    against 0.015 ms."""
    import re2

    return re2.compile(TROUBLE_PATTERN)


def says_trouble(line: str) -> bool:
    """Whether a line says something went wrong (:data:`TROUBLE_PATTERN`), or is the middle of the key list
    of a failed ``load_state_dict`` pasted without the line that heads it."""
    return _trouble().search(line) is not None


def strip_ansi(text: str) -> str:
    return ANSI_RE.sub("", text)


def _last_segment(line: str) -> str:
    """Keep what a terminal would show of a line rewritten with carriage returns."""
    if "\r" not in line:
        return line
    parts = [p for p in line.split("\r") if p.strip()]
    return parts[-1] if parts else ""


def _unwrap_markdown(line: str) -> str:
    """``**RuntimeError: x**`` / `` `RuntimeError: x` `` -> the text inside; links -> their text; an exception line
    that closes inline code opened lines above (`` `assert x\nAssertionError` ``) -> the line without its closing."""
    if "](" in line:
        line = MD_LINK_RE.sub(lambda m: m["text"], line)
    if line[:1] in "*`" and (line.startswith("**") or line.startswith("`")):
        wrapped = WRAP_RE.match(line)
        if wrapped:
            return wrapped["inner"]
    if line.endswith(("**", "`")) and ("**" in line[:-2] or "`" in line[:-1]):
        return line.rstrip("*`")
    if line.endswith(("**", "`")) and EXC_RE.match(line.rstrip("*`")):
        return line.rstrip("*`")  # the end of inline code or bold text that began on an earlier line
    return line


# what a web page, a chat app or an editor puts in place of plain characters: no-break and
# ideographic spaces, typographic quotes, zero-width characters
PLAIN_CHARS = str.maketrans({"\xa0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\u201c": '"', "\u201d": '"',
                             "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u200b": None,
                             "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None})
FULLWIDTH_COLON_RE = re.compile(rf"^(?P<type>\s*{EXC_TYPE})：\s?")
HTML_ENTITY_RE = re.compile(r"&(?:#\d{2,5}|#[xX][0-9a-fA-F]{2,4}|quot|apos|lt|gt|amp|nbsp);")


def normalize_line(raw: str) -> _Line:
    line = _last_segment(strip_ansi(raw.rstrip("\r\n"))).translate(PLAIN_CHARS)
    if "：" in line:  # an exception line typed with a full-width colon ("ValueError：...")
        line = FULLWIDTH_COLON_RE.sub(lambda m: m["type"] + ": ", line, count=1)
    if len(line) > MAX_LINE:
        line = line[:MAX_LINE] + " …"
    if FENCE_RE.match(line):
        return _Line("", None, "")
    rank = None
    prefix = ""
    for _ in range(4):  # prefixes nest: "[rank0]: 2024-... | ERROR | stderr | ..."
        match = RANK_RE.match(line)
        if match:
            rank = int(match.group(1) or match.group(2))
            line = line[match.end():]
            continue
        match = FOREIGN_PREFIX_RE.match(line) or LOG_PREFIX_RE.match(line)
        if match and match.end() > 0:
            prefix += re.sub(r"\d", "0", line[: match.end()]).strip()
            line = line[match.end():]
            continue
        break
    return _Line(_unwrap_markdown(line.rstrip()), rank, prefix)


# where a traceback's own lines start: what stands before them on several lines is a log prefix
ANCHOR_RE = re.compile(r"""^(?P<pre>.{1,60}?)(?:Traceback \(most recent call last\)|File "[^"\n]+", line \d+)""")
MIN_PREFIXED_ANCHORS = 2


def _shape(prefix: str) -> str:
    return re.sub(r"\d+", "0", prefix.strip())


def _strip_repeated_prefix(lines: list[_Line]) -> list[_Line]:
    """Strip a log prefix no pattern knows ("worker-0: ", "vllm-1  | ", a syslog header, a viewer's
    line numbers): one that stands, the same up to its digits, before at least two of the
    traceback's own lines (its header, its ``File "..."`` lines) and before most of them. Every line
    that starts with it loses it; other lines are kept as they are. Without such a prefix, a
    timestamped one learned from the lines' times (:func:`_strip_clock_prefix`)."""
    gaps: dict[str, list[int]] = {}  # the whitespace after the prefix: a header's own, a frame's plus its indent
    anchors = 0
    for line in lines:
        found = ANCHOR_RE.match(line.text)
        if found:
            anchors += 1
            pre = found["pre"]
            shape = _shape(pre)
            if shape and '"' not in shape and "File" not in shape:
                gap = len(pre) - len(pre.rstrip())
                gaps.setdefault(shape, []).append(gap if line.text[len(pre):].startswith("Traceback") else gap - 2)
    if not gaps:
        return _strip_clock_prefix(lines)
    shape, seen = max(gaps.items(), key=lambda item: len(item[1]))
    if len(seen) < MIN_PREFIXED_ANCHORS or len(seen) * 2 < anchors:
        return _strip_clock_prefix(lines)
    gap = max(0, min(seen))
    pattern = re.compile(r"^\s*" + re.escape(shape).replace("0", r"\d+") + r"(?:[ \t]{0,%d}|$)" % gap)
    out = []
    for line in lines:
        found = pattern.match(line.text)
        out.append(_Line(line.text[found.end():], line.rank, line.prefix + shape) if found else line)
    return out


# a time of day near a line's start ("[10:22:33]", "Mar 05 10:22:33 host app[12]: ", "...T10:22:33.1Z stderr F ")
CLOCK_RE = re.compile(r"^.{0,40}?\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?")
SHAPE_CLOCK_RE = re.compile(r"^.{0,40}?\b0:0:0(?:[.,]0)?")  # the same, in a line's shape (digits as 0)
# what a log prefix holds after its time: a level, a stream, a host, a process, a source position, a separator
PREFIX_WORD_RE = re.compile(r"(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|stdout|stderr|[FP]|[-|:>]+"
                            r"|\S*[\d\[\](){}|]\S*)$")
MESSAGE_WORD_RE = re.compile(r"\w*(?:Error|Exception|Warning|Traceback|Interrupt)\b|^File$")


def _strip_clock_prefix(lines: list[_Line]) -> list[_Line]:
    """Strip a timestamped prefix no pattern knows from a paste without a traceback to learn it from
    (an exception line and its continuation lines, a log's last lines): the time of day near the start
    of most of the paste's lines (two at least), the same up to its digits, and after it the words
    those lines share that a log prefix holds (a level, a host, ``name[pid]:``), never a message's own."""
    texts = [line.text for line in lines if line.text.strip()]
    clocked = [re.sub(r"\d+", "0", text) for text in texts if CLOCK_RE.match(text)]
    if len(clocked) < MIN_PREFIXED_ANCHORS or len(clocked) * 2 < len(texts) or len(set(clocked)) < 2:
        return lines
    common = os.path.commonprefix(clocked)
    clock = SHAPE_CLOCK_RE.match(common)
    if clock is None:
        return lines
    end = common.find(" ", clock.end())  # the word the time ends
    while end != -1:
        following = common.find(" ", end + 1)
        word = common[end + 1: following]
        if following == -1 or (word and (not PREFIX_WORD_RE.match(word) or MESSAGE_WORD_RE.search(word))):
            break
        end = following
    if end == -1:
        return lines
    pattern = re.compile(re.escape(common[:end]).replace("0", r"\d+") + r"[ \t]?")
    out = []
    for line in lines:
        found = pattern.match(line.text)
        out.append(_Line(line.text[found.end():], line.rank, line.prefix + _shape(common[:end])) if found else line)
    return out


INDENTED_HEADER_RE = re.compile(r"^(?P<indent>[ \t]+)Traceback \(most recent call last\)")


def _dedent_indented_tracebacks(lines: list[_Line]) -> list[_Line]:
    """A traceback pasted indented as a whole (a Markdown code block indented four spaces, a tab
    before every line): its header's indent goes from it and from every line after it that has the
    same indent (blank lines included), so frames and the exception line stand where Python wrote
    them."""
    out = list(lines)
    i = 0
    while i < len(out):
        found = INDENTED_HEADER_RE.match(out[i].text)
        if not found:
            i += 1
            continue
        indent = found["indent"]
        while i < len(out) and (out[i].text.startswith(indent) or not out[i].text.strip()):
            line = out[i]
            out[i] = _Line(line.text[len(indent):] if line.text.startswith(indent) else line.text, line.rank,
                           line.prefix)
            i += 1
    return out


def library_of(filename: str) -> str | None:
    """Name the library a frame belongs to, or None for user code."""
    match = LIB_RE.search(filename) or SRC_LIB_RE.search(filename)
    if match:
        return match.group("lib")
    if STDLIB_RE.search(filename):
        return "python"
    return None


def _frame(file: str, line: str | None, name: str | None, code: str = "") -> Frame:
    return Frame(file.strip(), int(line) if line else None, (name or "?").strip(), code.strip(), library_of(file))


def _unbox_rich(lines: list[_Line]) -> list[_Line]:
    """Turn rich's boxed traceback into the plain shape the parser reads."""
    out: list[_Line] = []
    inside = False
    for item in lines:
        text = item.text
        if RICH_TOP_RE.match(text):
            inside = True
            out.append(_Line("Traceback (most recent call last):", item.rank))
            continue
        if not inside and not out and RICH_SIDE_RE.match(text) and text.strip().startswith("│"):
            inside = True  # a paste that starts inside a box: its top line was not copied
            out.append(_Line("Traceback (most recent call last):", item.rank))
        if inside:
            if RICH_BOTTOM_RE.match(text):
                inside = False
                continue
            side = RICH_SIDE_RE.match(text)
            content = side.group(1).strip() if side else text.strip()
            frame = RICH_FRAME_RE.match(content)
            if frame:
                out.append(_Line(f'  File "{frame["file"]}", line {frame["line"]}, in {frame["name"]}', item.rank))
            elif content and not set(content) <= set("─ ╭╮╰╯│"):
                out.append(_Line("    " + content.lstrip("❱ ").strip(), item.rank))
            continue
        out.append(item)
    return out


def _is_exception_line(text: str) -> re.Match[str] | None:
    if not text or text[0].isspace():
        stripped = text.strip()
        if not stripped or FRAME_RE.match(text):
            return None
        # an exception line indented on its own (quoted in a list or a code block): with its message only,
        # since an indented bare word may be code
        match = EXC_RE.match(stripped)
        if match and match.group("msg") and match.group("type").endswith(("Error", "Exception")):
            return match
        return _glued(stripped)
    match = EXC_RE.match(text)
    if not match:
        return _glued(text)
    # "Error: ..." alone or prose like "Exception handling is ..." is not an exception line
    if match.group("msg") is None and "." not in match.group("type") and not match.group("type").endswith(("Error", "Exception", "Interrupt")):
        return None
    return match


def _glued(text: str) -> re.Match[str] | None:
    """An exception line preceded by prose on the same line (never a frame or code line)."""
    if "Error" not in text and "Exception" not in text:
        return None
    if text.lstrip().startswith(("File ", "raise ", "except ", "return ", "from ", "import ", "def ", "class ", "#")):
        return None
    return GLUED_RE.search(text)


def _unwrap(match: re.Match[str], message: str) -> tuple[str, str]:
    """``Wrapper: inner.Type: text`` (JAX's UnfilteredStackTrace, re-raisers) and ``Wrapper(inner.Type): text``
    (Ray) -> the inner exception."""
    exc_type = match.groupdict().get("inner") or match["type"]
    inner = EXC_RE.match(message.split("\n", 1)[0])
    # a dotted name that is no exception class starts the message of many errors (torch's op overload
    # "aten._foreach_norm.Scalar: got mixed ..."): only an outer type that is no exception class wraps one
    if inner and inner["msg"] is not None and (NAMED_TYPE_RE.fullmatch(inner["type"])
                                               or not NAMED_TYPE_RE.fullmatch(exc_type)):
        rest = message.split("\n", 1)[1] if "\n" in message else ""
        return inner["type"], (inner["msg"] + ("\n" + rest if rest else "")).strip()
    return exc_type, message


def _read_message(lines: list[_Line], start: int, first: str) -> tuple[str, int]:
    """Collect a possibly multi-line exception message; return it and the next line index."""
    parts = [first]
    i = start
    prefix = lines[start - 1].prefix if start else ""
    while i < len(lines) and i - start < MAX_MESSAGE_LINES:
        text = lines[i].text
        if lines[i].prefix != prefix and not (prefix == ">" and not lines[i].prefix and text[:1].isspace()):
            # a log line written after the error, not part of its message (a quoted exception line's indented
            # continuation that the quote did not reach is)
            break
        if not text.strip():
            following = lines[i + 1] if i + 1 < len(lines) else None
            if following is not None and following.text[:1].isspace() and following.prefix == prefix \
                    and not FRAME_RE.match(following.text):
                parts.append("")  # a blank line inside an indented multi-paragraph message
                i += 1
                continue
            break
        if TRACEBACK_RE.search(text) or CHAIN_RE.search(text) or IPY_HEADER_RE.match(text):
            break
        if not text[0].isspace() and (_is_exception_line(text) or WARNING_RE.match(text)):
            break
        if FRAME_RE.match(text) or RICH_TOP_RE.match(text):
            break
        parts.append(text)
        i += 1
    return "\n".join(parts).strip(), i


def _ipy_frame(match: re.Match) -> Frame:
    """The frame an IPython / Colab frame line (:data:`IPY_FRAME_RE`) names, in whichever of its forms."""
    if match["cell"]:
        return _frame(match["cell"], match["cline"], "<cell>")
    if match["ofile"] or match["lfile"]:
        return _frame(match["ofile"] or match["lfile"], None, match["oname"] or match["lname"])
    return _frame(match["file"], match["line"], match["name"])


def _parse_frames(lines: list[_Line], i: int) -> tuple[list[Frame], int]:
    """Read frames after a traceback header (plain or IPython style) until the exception line."""
    frames: list[Frame] = []
    while i < len(lines):
        text = lines[i].text
        match = FRAME_RE.match(text)
        if match:
            code = ""
            j = i + 1
            while j < len(lines) and lines[j].text.startswith("    ") and not FRAME_RE.match(lines[j].text):
                stripped = lines[j].text.strip()
                if stripped and not set(stripped) <= set("^~ "):
                    code = code or stripped
                j += 1
            if j == i + 1 and _unindented_code(lines, j):
                code = lines[j].text.strip()
                j += 1
            frames.append(_frame(match["file"], match["line"], match["name"], code))
            i = j
            continue
        match = IPY_FRAME_RE.match(text)
        if match:
            frames.append(_ipy_frame(match))
            i += 1
            continue
        stripped = text.strip()
        if not stripped or text[0].isspace() or IPY_CODE_RE.match(text) or set(stripped) <= set("^~-"):
            i += 1
            continue
        if stripped.startswith("...") or stripped.startswith("[Previous line repeated") or ELISION_RE.match(text):
            i += 1
            continue
        break
    return frames, i


def _unindented_code(lines: list[_Line], j: int) -> bool:
    """A frame's code line that lost its indentation (a paste through a log prefix or a chat that strips
    leading spaces): a line that is neither a frame nor an exception line, between a frame and the next
    frame or the exception line."""
    if j + 1 >= len(lines):
        return False
    text = lines[j].text
    if not text.strip() or text[0].isspace() or FRAME_RE.match(text) or _is_exception_line(text) \
            or TRACEBACK_RE.search(text) or CHAIN_RE.search(text) or ELISION_RE.match(text):
        return False
    following = lines[j + 1].text
    return bool(FRAME_RE.match(following) or _is_exception_line(following))


def _parse_stream(lines: list[_Line], index: list[int]) -> list[Trace]:
    """Find every traceback, chain and bare exception line in one rank's lines."""
    traces: list[Trace] = []
    chain: list[Exc] = []
    chain_start = 0
    pending_chain = False
    i = 0
    rank = next((line.rank for line in lines if line.rank is not None), None)

    def close(end: int) -> None:
        nonlocal chain
        if chain:
            traces.append(Trace(tuple(chain), rank, chain_start, end))
        chain = []

    while i < len(lines):
        text = lines[i].text
        header = TRACEBACK_RE.search(text)
        ipy = IPY_HEADER_RE.match(text)
        if header or ipy:
            if not pending_chain:
                close(index[i - 1] if i else 0)
                chain_start = index[i]
            pending_chain = False
            frames, j = _parse_frames(lines, i + 1)
            while j < len(lines) and not lines[j].text.strip():
                j += 1
            exc_match = _is_exception_line(lines[j].text) if j < len(lines) else None
            if exc_match:
                message, k = _read_message(lines, j + 1, exc_match["msg"] or "")
                chain.append(Exc(*_unwrap(exc_match, message), tuple(frames), index[j]))
                i = k
            else:
                if frames:  # a traceback cut off before its exception line
                    chain.append(Exc(ipy["type"] if ipy else "", "", tuple(frames), index[min(j, len(lines) - 1)]))
                i = j
            continue
        if CHAIN_RE.search(text):
            pending_chain = bool(chain)
            i += 1
            continue
        warning = WARNING_RE.match(text)
        if warning:
            close(index[i - 1] if i else 0)
            message, k = _read_message(lines, i + 1, warning["msg"])
            frame = _frame(warning["file"], warning["line"], "<warning>")
            traces.append(Trace((Exc(warning["type"], message, (frame,), index[i]),), rank, index[i], index[k - 1]))
            i = k
            continue
        exc_match = _is_exception_line(text)
        # a bare type with no message ("AssertionError") is an exception line only under its frames: alone it
        # may be a word of prose
        frames = _orphan_frames(lines, i) if exc_match else []
        # ... or under the statement that raised it, the last line Python prints above it ("assert x" / "raise X")
        raised = bool(exc_match) and i > 0 and RAISING_LINE_RE.match(lines[i - 1].text) is not None
        if exc_match and (exc_match["msg"] is not None or frames or raised):
            # a bare error line (partial paste) or frames pasted without the header
            close(index[i - 1] if i else 0)
            message, k = _read_message(lines, i + 1, exc_match["msg"] or "")
            start = index[i] if not frames else index[max(0, i - 2 * len(frames))]
            chain_start = start
            chain.append(Exc(*_unwrap(exc_match, message), tuple(frames), index[i]))
            close(index[k - 1])
            i = k
            continue
        if FRAME_RE.match(text) and not chain:
            i += 1  # frames without a header: picked up by _orphan_frames at the exception line
            continue
        i += 1
    close(index[-1] if index else 0)
    return traces


def _orphan_frames(lines: list[_Line], exc_index: int) -> list[Frame]:
    """Frames pasted above an exception line without the 'Traceback' header: plain ones, and IPython /
    Colab ones (``/x.py in f(a)`` or its Markdown link, numbered code lines and blank lines between
    them, Colab's ``22 frames`` line)."""
    frames: list[Frame] = []
    j = exc_index - 1
    code = ""
    ipython = False
    while j >= 0:
        text = lines[j].text
        match = FRAME_RE.match(text)
        ipy = None if match else IPY_FRAME_RE.match(text)
        if match:
            frames.append(_frame(match["file"], match["line"], match["name"], code))
            code = ""
        elif ipy and (ipy["ofile"] or ipy["lfile"]):
            frames.append(_ipy_frame(ipy))
            ipython = True
        elif text.startswith("    ") and text.strip():
            code = text.strip() if not set(text.strip()) <= set("^~ ") else code
        elif j > 0 and FRAME_RE.match(lines[j - 1].text) and _unindented_code(lines, j):
            code = text.strip()  # the frame's code line, its indentation lost (``[rank0]: raise ...``)
        elif IPY_CODE_RE.match(text) or not text.strip() or (ipython and ELISION_RE.match(text)):
            pass  # a notebook's numbered code lines and the blank lines around them (a frame is above)
        else:
            break
        j -= 1
    return frames[::-1]


TERMINAL_WIDTHS = (80, 100, 120, 132, 160, 200)
BOX_LEFT = ("|", "│", "╭", "╰", "┃", "┏", "┗")
BOX_RIGHT = ("|", "│", "╮", "╯", "┃", "┓", "┛")


WRAP_CONTINUES_RE = re.compile(r"[a-z0-9_]")


def _rejoin_hard_wrapped(lines: list[str]) -> list[str]:
    """A paste copied from a terminal that hard-wraps at W columns: no line is longer than W and several
    are exactly W long. Each of those continues on the next line: join them back."""
    lengths = [len(line.rstrip("\r")) for line in lines]
    if len(lines) < 2 or not lengths:
        return lines
    width = max(lengths)
    # a wrap cuts through text: the line is full to its last column, with at most the one space the
    # wrap fell on (a padded table row ends in several), and it is no side of a box (a rich traceback's
    # panel is as wide as the terminal: each of its lines is full)
    cut = [length == width and not line.rstrip("\r")[-2:].isspace() and not line.strip().endswith(BOX_RIGHT)
           and not line.lstrip().startswith(BOX_LEFT) for line, length in zip(lines, lengths)]
    # a frame line that happens to be W long, followed by its indented code line, was not cut: a wrap
    # continues in the first column (or after the one space it cut at), never under an indent; nor does
    # it continue with a rank's prefix (a log of ranks, whose next line is another line of some rank)
    for i in range(len(lines) - 1):
        if cut[i] and (lines[i + 1].startswith("  ") and FRAME_RE.match(lines[i].rstrip("\r"))
                       or RANK_RE.match(lines[i + 1])):
            cut[i] = False
    if width not in TERMINAL_WIDTHS or not any(cut):
        return lines
    if sum(cut) == 1:
        # one full line: a cut only when it falls inside a word (the line ends in a letter or digit
        # and the next one carries on in lowercase or digits), not before a line of its own
        at = cut.index(True)
        following = lines[at + 1] if at + 1 < len(lines) else ""
        if not (WRAP_CONTINUES_RE.match(following) and WRAP_CONTINUES_RE.match(lines[at].rstrip("\r")[-1:].lower())):
            return lines
    out: list[str] = []
    joined = ""
    for line, wrapped in zip(lines, cut):
        joined += line.rstrip("\r")
        if not wrapped:
            out.append(joined)
            joined = ""
    if joined:
        out.append(joined)
    return out


def _unescaped_lines(text: str) -> list[str]:
    """The paste's lines, with HTML entities read as the characters they stand for (a paste taken from
    a page's HTML source: ``&#39;labels&#39;``). Line by line, so that each line keeps its number (an
    editor's diagnostics point at it): an entity newline inside a line reads as a space. Only a paste
    that is one line in all, an attribute's value, takes its entity newlines as its lines."""
    lines = text.split("\n")
    if "&" not in text or not HTML_ENTITY_RE.search(text):
        return lines
    import html  # few pastes hold entities: the others never load its table

    if len(lines) == 1 or not any(line.strip() for line in lines[1:]):
        return html.unescape(text).split("\n")
    return [_unescape_line(line) if "&" in line else line for line in lines]


def _unescape_line(line: str) -> str:
    import html

    body = line.rstrip("\r")
    return html.unescape(body).replace("\r", " ").replace("\n", " ") + line[len(body):]


FLAT_FRAME_RE = re.compile(r'File "(?P<file>[^"\n]{1,1000})", line (?P<line>\d+)(?:, in (?P<name>[\w<>.]+))?')
FLAT_EXC_RE = re.compile(rf"(?:^|\s)(?P<type>{EXC_TYPE}):(?:\s|$)")
FLAT_CHAIN_RE = re.compile(r"\s*(During handling of the above exception, another exception occurred:|"
                           r"The above exception was the direct cause of the following exception:)\s*")
MAX_FLAT_LINE = 200_000  # a longer line is not unfolded (a log is already an excerpt)


def _prepared(raw_lines: list[str]) -> list[_Line]:
    return _dedent_indented_tracebacks(_strip_repeated_prefix(_unbox_rich([normalize_line(raw) for raw in raw_lines])))


def _unflattened(lines: list[str]) -> tuple[list[str], list[int]] | None:
    """A traceback whose line breaks a page or a chat app turned into spaces (``... Traceback (most recent call
    last): File "a.py", line 3, in f x() ValueError: ...`` on one line), written out again one line per header,
    frame, code line and exception line, with the paste's line each comes from; None when no line was unfolded.
    A line is unfolded only when it holds the header followed by a frame, or two frames: prose that names a
    file keeps its line."""
    if not any('File "' in line for line in lines):
        return None
    out: list[str] = []
    origin: list[int] = []
    for at, line in enumerate(lines):
        unfolded = None
        if len(line) <= MAX_FLAT_LINE and line.count('File "') >= (1 if "Traceback (most recent call last)" in line else 2):
            unfolded = _unfold(line)
        pieces = unfolded or [line]
        out.extend(pieces)
        origin.extend([at] * len(pieces))
    return (out, origin) if len(out) > len(lines) else None


def _unfold(line: str) -> list[str] | None:
    header = TRACEBACK_RE.search(line)
    frames = list(FLAT_FRAME_RE.finditer(line))
    framed_header = header is not None and bool(frames) and frames[0].start() >= header.end()
    if len(frames) < 2 and not framed_header:
        return None  # neither two frames nor the header followed by one
    if FRAME_RE.match(line):
        return None  # one frame line as the traceback prints it
    start = header.start() if header is not None and header.start() < frames[0].start() else frames[0].start()
    out = [line[:start].rstrip()] if line[:start].strip() else []
    pos = start
    for frame, following in zip(frames, frames[1:] + [None]):
        between = line[pos:frame.start()]
        out.extend(_flat_between(between))
        out.append("  " + frame.group(0))
        pos = frame.end()
        if following is not None:
            code = line[pos:following.start()]
            if TRACEBACK_RE.search(code) or FLAT_EXC_RE.search(code):
                continue  # an exception (and a chained header) between two frames: written out by the next step
            if code.strip():
                out.append("    " + code.strip())
            pos = following.start()
    tail = line[pos:]
    exc = FLAT_EXC_RE.search(tail)
    if exc is None:
        if tail.strip():
            out.append("    " + tail.strip())
        return out
    if tail[:exc.start("type")].strip():
        out.append("    " + tail[:exc.start("type")].strip())
    out.append(tail[exc.start("type"):].strip())
    return out


def _flat_between(text: str) -> list[str]:
    """What stands between a frame's code and the next frame on a flattened line: the previous error's exception
    line, a chaining sentence, a traceback header."""
    out: list[str] = []
    for part in re.split(f"({TRACEBACK_RE.pattern})", text):
        if not part.strip():
            continue
        if TRACEBACK_RE.fullmatch(part):
            out.append(part)
            continue
        exc = FLAT_EXC_RE.search(part)
        code, rest = (part[:exc.start("type")], part[exc.start("type"):]) if exc else (part, "")
        if code.strip():
            out.append("    " + code.strip())
        if rest.strip():
            message, *chain = FLAT_CHAIN_RE.split(rest)
            out.append(message.strip())
            out.extend(c.strip() for c in chain if c.strip())
    return out


NOTEBOOK_RE = re.compile(r'"(?:ename|evalue|output_type|traceback)"\s*:')
JSON_STRING_LINE_RE = re.compile(
    r'^\s*(?:"(?P<key>[a-z_]+)"\s*:\s*\[?\s*)?(?P<literal>"(?:[^"\\\n]|\\.)*")\s*\]?\s*,?\s*$')
JSON_STRUCTURE_RE = re.compile(
    r'^\s*(?:"[\w.-]+"\s*:\s*(?:[\[{]\s*[\]}]?|"(?:[^"\\\n]|\\.)*"|[-\w.]+)?|[\[\]{}]+)\s*,?\s*$')
NOTEBOOK_KEYS = frozenset({"ename", "evalue", "text", "traceback"})  # the keys whose strings are read


def _notebook_decoded(lines: list[str]) -> tuple[list[str], list[int]] | None:
    """A notebook's saved outputs pasted as the ``.ipynb`` file's JSON: the error's lines are JSON strings
    (``"\\u001b[0;31mRuntimeError\\u001b[0m: ...\\n",`` in a ``"traceback"`` list, a stream's ``"text"``).
    Each such line is read as the text it holds, split at its newlines, each piece standing for the paste's
    line it came from; None when the paste is not a notebook's JSON. ``"evalue"`` (the message alone) is read
    as the exception line only where no traceback list follows, which ends in the same line. The JSON's
    other lines (brackets, other keys) read as blank lines: they end the message before them."""
    if not any(NOTEBOOK_RE.search(line) for line in lines):
        return None
    has_traceback = any('"traceback"' in line for line in lines)
    ename = ""
    out: list[str] = []
    origin: list[int] = []
    for at, line in enumerate(lines):
        match = JSON_STRING_LINE_RE.match(line) if '"' in line else None
        pieces = [""] if JSON_STRUCTURE_RE.match(line) else [line]
        if match is not None and match.group("key") in NOTEBOOK_KEYS | {None}:
            try:
                value = json.loads(match.group("literal"))
            except ValueError:
                value = None
            if isinstance(value, str):
                key = match.group("key")
                if key == "ename":
                    ename = value
                    pieces = [""]
                elif key == "evalue" and has_traceback:
                    pieces = []
                elif key == "evalue":
                    pieces = (f"{ename}: {value}" if ename else value).split("\n")
                else:
                    pieces = strip_ansi(value).rstrip("\n").split("\n")
        out.extend(pieces)
        origin.extend([at] * len(pieces))
    return (out, origin) if out != lines else None


REPORT_FIELD_RE = re.compile(r"^\s*(?:[-*]\s*)?\**Exception (?P<field>Type|Message):\**\s*(?P<value>.*?)\s*$")
REPORT_TRACE_RE = re.compile(r"^\s*#+\s*Stack Trace\s*$")


def _report_fields(lines: list[str]) -> tuple[list[str], list[int]] | None:
    """An error report that names the exception in fields (ComfyUI's ``- **Exception Type:** KeyError`` and
    ``- **Exception Message:** ...`` above a ``## Stack Trace`` whose frames end without an exception line): the
    two fields read as the exception line, placed after the stack trace's frames, standing for the message's line;
    None when the paste is no such report."""
    if not any("Exception Type:" in line for line in lines):
        return None
    fields: dict[str, tuple[int, str]] = {}
    for at, line in enumerate(lines):
        match = REPORT_FIELD_RE.match(line)
        if match and match["field"] not in fields:
            fields[match["field"]] = (at, match["value"])
    if set(fields) != {"Type", "Message"} or not re.fullmatch(EXC_TYPE, fields["Type"][1]):
        return None
    (type_at, exc_type), (message_at, message) = fields["Type"], fields["Message"]
    out = [("" if at in (type_at, message_at) else line) for at, line in enumerate(lines)]
    origin = list(range(len(lines)))
    trace = next((at for at in range(message_at, len(lines)) if REPORT_TRACE_RE.match(lines[at])), None)
    end = message_at
    if trace is not None:
        fenced = trace + 1 < len(lines) and FENCE_RE.match(lines[trace + 1])
        end = next((at for at in range(trace + 2, len(lines)) if FENCE_RE.match(lines[at]) or lines[at].startswith("#")),
                   len(lines)) if fenced else trace
    out.insert(end, f"{exc_type}: {message}")
    origin.insert(end, message_at)
    return out, origin


# an IDE's debugger stopped on the exception (VS Code / Cursor, in the languages people run it in): the type on this
# line, the message below it, then the frames, most recent first, and no exception line
PAUSED_RE = re.compile(rf"^\s*(?:Exception has occurred|发生异常|發生例外狀況|例外が発生しました|예외가 발생했습니다)\s*[:：]\s*"
                       rf"(?P<type>{EXC_TYPE})\s*(?:\(note:[^)]*\)?)?\s*$")
MAX_PAUSED_MESSAGE = 40  # message lines read below a paused debugger's exception type


def _debugger_paused(lines: list[str]) -> tuple[list[str], list[int]] | None:
    """A debugger's "Exception has occurred: ValueError" block (VS Code, "发生异常: ValueError" in Chinese), with the
    message on the lines below it and the frames under the message, most recent first: read as a traceback (the
    frames oldest first) that ends in the exception line, each line standing for the paste's line it came from.
    None when the paste holds no such block."""
    if not any(PAUSED_RE.match(line) for line in lines):
        return None
    out: list[str] = []
    origin: list[int] = []
    at = 0
    while at < len(lines):
        match = PAUSED_RE.match(lines[at])
        if not match:
            out.append(lines[at])
            origin.append(at)
            at += 1
            continue
        message = at + 1
        while message < len(lines) and message - at <= MAX_PAUSED_MESSAGE and lines[message].strip() \
                and not FRAME_RE.match(lines[message]):
            message += 1
        frames: list[list[int]] = []  # each frame's lines, as the debugger lists them (most recent first)
        end = message
        while end < len(lines) and FRAME_RE.match(lines[end]):
            block = [end]
            end += 1
            while end < len(lines) and lines[end].startswith("    ") and not FRAME_RE.match(lines[end]):
                block.append(end)
                end += 1
            frames.append(block)
        body = [lines[i] for i in range(at + 1, message)]
        if not body:  # no message: nothing to read the exception from
            out.append(lines[at])
            origin.append(at)
            at += 1
            continue
        out.append("Traceback (most recent call last):")
        origin.append(at)
        for block in reversed(frames):
            out += [lines[i] for i in block]
            origin += block
        out.append(f"{match['type']}: {body[0].strip()}")
        origin.append(at + 1)
        out += body[1:]
        origin += list(range(at + 2, message))
        at = end
    return out, origin


ESCAPED_NEWLINE_RE = re.compile(r"\\+n")
ESCAPED_QUOTE_RE = re.compile(r"""\\+(["'])""")
ESCAPED_FRAME_RE = re.compile(r'File \\*"')


def _escaped_newlines(lines: list[str]) -> tuple[list[str], list[int]] | None:
    """A traceback pasted as a string's repr or a JSON log's field: its line breaks written ``\\n`` (or ``\\\\n``,
    escaped twice), all on one line. Such a line is split at them, each piece standing for the line; only a line
    whose pieces hold two frame lines or more is split (a Windows path such as ``C:\\new\\`` holds none)."""
    if not any("\\" in line and ESCAPED_FRAME_RE.search(line) for line in lines):
        return None
    out: list[str] = []
    origin: list[int] = []
    for at, line in enumerate(lines):
        pieces = [line]
        if len(ESCAPED_NEWLINE_RE.findall(line)) >= 2 and len(ESCAPED_FRAME_RE.findall(line)) >= 2:
            # (what closes the string, such as '"}', reads as a blank line: it ends the message)
            split = [ESCAPED_QUOTE_RE.sub(r"\1", piece) if re.search(r"\w", piece) else ""
                     for piece in ESCAPED_NEWLINE_RE.split(line)]
            if sum(1 for piece in split if FRAME_RE.match(piece)) >= 2:
                pieces = split
        out.extend(pieces)
        origin.extend([at] * len(pieces))
    return (out, origin) if len(out) > len(lines) else None


def _read_lines(raw_lines: list[str]) -> tuple[list[str], list[int]] | None:
    """The lines the parser reads where they differ from the paste's own lines (a notebook's JSON, line breaks
    written as escapes, an error report's fields, a paused debugger's exception, a flattened traceback), with the
    paste's line each stands for;
    None when they do not differ."""
    lines, origin, changed = raw_lines, list(range(len(raw_lines))), False
    for step in (_notebook_decoded, _escaped_newlines, _report_fields, _debugger_paused, _unflattened):
        found = step(lines)
        if found is not None:
            lines, origin, changed = found[0], [origin[at] for at in found[1]], True
    return (lines, origin) if changed else None


MAX_PREFIXES = 64  # distinct stripped prefixes kept as evidence (a log of many workers has one per worker)


def _distinct_prefixes(lines: list[_Line]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for line in lines:
        if line.prefix and line.prefix not in seen:
            seen[line.prefix] = None
            if len(seen) == MAX_PREFIXES:
                break
    return tuple(seen)


def parse(text: str, *, truncated: bool = False) -> Log:
    """Parse pasted output into normalized lines and traces (one per rank and error)."""
    raw_lines = _rejoin_hard_wrapped(_unescaped_lines(text))
    lines = _prepared(raw_lines)
    # a traceback the paste holds in another form (flattened onto one line, its breaks written as escapes, saved in
    # a notebook's JSON, given in a report's fields) is read from the lines it holds, each standing for the line it
    # came from: the log keeps the paste's lines (an editor's diagnostics point at them)
    read, origin = lines, range(len(lines))
    other = _read_lines(raw_lines)
    if other is not None:
        expanded = _prepared(other[0])
        if len(expanded) == len(other[1]) and len(lines) == len(raw_lines):
            read, origin = expanded, other[1]
    streams: dict[int | None, tuple[list[_Line], list[int]]] = {}
    ranks = {line.rank for line in read if line.rank is not None}
    for position, line in zip(origin, read):
        key = line.rank if ranks else None
        if line.rank is None and ranks and not line.text.strip():
            continue
        bucket = streams.setdefault(key, ([], []))
        bucket[0].append(line)
        bucket[1].append(position)
    traces: list[Trace] = []
    for key, (stream, index) in streams.items():
        for trace in _parse_stream(stream, index):
            traces.append(Trace(trace.exceptions, key if key is not None else trace.rank, trace.start, trace.end))
    traces.sort(key=lambda t: (t.start, t.rank or 0))
    texts = tuple(line.text for line in lines)
    prefixes = _distinct_prefixes(lines)
    headless = () if any(not t.final.type.endswith("Warning") for t in traces) else _headless(texts, traces)
    if not traces and not headless:
        described = _description(texts)
        if described:
            return Log(texts, (), truncated, described, described=True, prefixes=prefixes)
    return Log(texts, tuple(traces), truncated, headless, prefixes=prefixes)


def _description(lines: tuple[str, ...]) -> tuple[Trace, ...]:
    """A few words and no log: a question or an issue title ("LoRA on Gemma, lm_head not saved"). It is
    an error described rather than pasted, so retrieval may rank causes for it (never confidently).
    Lines of a run's output (metrics, progress bars, timestamps) are a log without an error instead."""
    said = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() and not PICTURE_LINE_RE.match(line)]
    if not said or len(said) > MAX_DESCRIPTION_LINES or sum(len(line) for _, line in said) > MAX_DESCRIPTION_CHARS:
        return ()
    if any(RUN_OUTPUT_RE.search(line) for _, line in said):
        return ()
    first, last = said[0][0], said[-1][0]
    return (Trace((Exc("", "\n".join(line for _, line in said), (), first),), None, first, last),)


def _headless(lines: tuple[str, ...], traces: list[Trace]) -> tuple[Trace, ...]:
    """Blocks of lines outside every parsed error that say something went wrong: the message body of
    an error pasted without its exception line. Each becomes an error of unknown type."""
    covered = set()
    for trace in traces:
        covered.update(range(trace.start, trace.end + 1))
    blocks: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines + ("",)):
        inside = bool(line.strip()) and i not in covered
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            blocks.append((start, i - 1))
            start = None
    found = []
    for first, last in blocks:
        trouble = next((i for i in range(first, last + 1) if says_trouble(lines[i])), None)
        if trouble is None:
            continue
        end = min(last, trouble + MAX_MESSAGE_LINES)
        message = "\n".join(lines[trouble:end + 1]).strip()
        found.append(Trace((Exc("", message, (), trouble),), None, trouble, end))
    return tuple(found[-MAX_HEADLESS:])
